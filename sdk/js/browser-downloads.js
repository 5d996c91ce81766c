// What the automation browser's tabs download (the `browser-automation` capability), kept in
// the node's private downloads dir. Waiters, watches and sizes are plain numbers; the functions
// take options objects, and those that can fail throw a `Failure`. The raw bindings stay
// reachable as `raw`.
import * as raw from 'openclaw:plugin/browser-downloads@0.1.9';

import { capability } from './failure.js';
import { bigint, number } from './params.js';

export { raw };

/**
 * Arms a waiter for the tab's next download, kept as `fileName` or `<uuid>-<its name>`; answers
 * the waiter for `awaitDownload`.
 */
export function armDownload(targetId, { fileName } = {}) {
  return capability(() => number(raw.armDownload(targetId, fileName)));
}

/**
 * Waits for an armed waiter's download: `{ url, suggestedFilename, path, size, content }`.
 * None in time throws a `Failure` with code `TIMEOUT`.
 */
export function awaitDownload(waiter, { timeoutMs = 30000 } = {}) {
  return capability(() => download(raw.awaitDownload(bigint(waiter), timeoutMs)));
}

/** Starts collecting what the tab downloads; answers the watch for `collectDownloads`. */
export function watchDownloads(targetId) {
  return capability(() => number(raw.watchDownloads(targetId)));
}

/** Ends a watch; answers the downloads that finished (waiting longer when `expected`). */
export function collectDownloads(watch, { expected = false } = {}) {
  return raw.collectDownloads(bigint(watch), expected).map(download);
}

function download(d) {
  return { ...d, size: number(d.size) };
}
