// Files given to a tab's page (the `browser-automation` capability): file inputs and choosers,
// from the node's upload dir and inbound media, and uploads a request carried. Arms are plain
// numbers; the functions take options objects and throw a `Failure`. The raw bindings stay
// reachable as `raw`.
import * as raw from 'openclaw:plugin/browser-files@0.1.9';

import { capability } from './failure.js';
import { bigint, number } from './params.js';

export { raw };

/** Gives the file input `objectId` (a remote object of the tab's page) the files at `paths`. */
export function setInputFiles(targetId, objectId, paths) {
  return capability(() => raw.setInputFiles(targetId, objectId, [...paths]));
}

/** Arms the tab's next file chooser to get `paths`; answers the arm for `awaitFileChooser`. */
export function armFileChooser(targetId, paths, { ttlMs = 120000 } = {}) {
  return capability(() => number(raw.armFileChooser(targetId, [...paths], ttlMs)));
}

/** Waits until an armed chooser opened and took its files. */
export function awaitFileChooser(arm, { timeoutMs = 30000 } = {}) {
  return capability(() => raw.awaitFileChooser(bigint(arm), timeoutMs));
}

/**
 * Stages files a request carried (`[{ name, content }]`, `content` a Uint8Array) in a fresh
 * private dir; answers their paths in order.
 */
export function stageUpload(files) {
  return capability(() => raw.stageUpload([...files]));
}

/** Removes a staged upload at once, given a path `stageUpload` answered. */
export function discardUpload(path) {
  return capability(() => raw.discardUpload(path));
}
