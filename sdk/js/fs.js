// Directories under the roots the operator granted this plugin (the `fs` capability). Paths are
// absolute; the host resolves each inside a root, so no link leads out of it. The functions that
// can fail throw a `Failure` whose code names the cause: an errno name (`ENOENT`, `EACCES`,
// `ELOOP`, ...) or `REFUSED` for a path outside the roots. Sizes, times, link and block counts
// are plain numbers; a file's identity (`device`, `inode`), which may not fit one, stays BigInt.
// The raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/fs@0.1.9';

import { capability } from './failure.js';
import { bigint, number } from './params.js';

export { raw };
export { home, followsSymlinks } from 'openclaw:plugin/fs@0.1.9';

/** `realpath`: `path` with every link below its root resolved. */
export function canonical(path) {
  return capability(() => raw.canonical(path));
}

/** `lstat`: the metadata of the entry at `path` itself. */
export function lstat(path) {
  return capability(() => fileInfo(raw.lstat(path)));
}

/**
 * Reads the regular file at `path`: `{ info, content, sha256 }`, `content` a Uint8Array, empty
 * when the file is larger than `maxBytes`.
 */
export function readFile(path, maxBytes) {
  return capability(() => {
    const read = raw.readFile(path, bigint(maxBytes));
    return { ...read, info: fileInfo(read.info) };
  });
}

/**
 * Writes `content` (a Uint8Array) to the file at `path` (a new file is made 0600); answers its
 * metadata. `existing` says what happens to a file already there: 'keep' it (`EEXIST`, unless
 * given) or 'replace' it atomically. With `createParents`, missing dirs are made.
 */
export function writeFile(path, content, { existing = 'keep', createParents = false } = {}) {
  return capability(() => fileInfo(raw.writeFile(path, content, existing, createParents)));
}

/** The entries of the directory at `path`, in the file system's order. */
export function listDir(path) {
  return capability(() => raw.listDir(path));
}

function fileInfo(info) {
  return {
    ...info,
    size: number(info.size),
    mtimeSec: number(info.mtimeSec),
    links: number(info.links),
    blocks: number(info.blocks),
  };
}
