// What a tab's page does and shows (the `browser-automation` capability): DevTools commands,
// logs, dialogs, notes kept with the tab, and media saved from it. The functions that can fail
// take options objects and throw a `Failure`; the logs' lines, columns and statuses are plain
// numbers. The raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/browser-page@0.1.9';

import { capability } from './failure.js';
import { number } from './params.js';

export { raw };
export { note } from 'openclaw:plugin/browser-page@0.1.9';

/**
 * Sends one DevTools command to the tab's page (`paramsJson` JSON text); answers the reply's
 * `result` as JSON text. The host allows page commands only.
 */
export function send(targetId, method, paramsJson = '{}', { timeoutMs = 30000 } = {}) {
  return capability(() => raw.send(targetId, method, paramsJson, timeoutMs));
}

/** What the tab logged, oldest first; its errors or requests are then forgotten when asked. */
export function logs(targetId, { clearErrors = false, clearRequests = false } = {}) {
  return capability(() => {
    const log = raw.logs(targetId, clearErrors, clearRequests);
    return {
      ...log,
      console: log.console.map((c) => ({ ...c, line: number(c.line), column: number(c.column) })),
      requests: log.requests.map((r) => ({ ...r, status: number(r.status) })),
    };
  });
}

/** The tab's open dialogs, and the last ones closed. */
export function dialogs(targetId) {
  return capability(() => raw.dialogs(targetId));
}

/** Answers an open dialog now: `dialogId`, or the only one open. */
export function answerDialog(targetId, accept, { dialogId, promptText } = {}) {
  return capability(() => raw.answerDialog(targetId, dialogId, accept, promptText));
}

/** Arms a one-time answer for the tab's next dialog, good for `ttlMs` (2 minutes unless given). */
export function armDialog(targetId, accept, { promptText, ttlMs = 120000 } = {}) {
  return capability(() => raw.armDialog(targetId, accept, promptText, ttlMs));
}

/** Keeps a note with a tab until it closes or the browser stops; `note` reads it back. */
export function keepNote(targetId, key, value) {
  return capability(() => raw.keepNote(targetId, key, value));
}

/**
 * Saves a file the browser made (a screenshot, a PDF; a Uint8Array) with the node's browser
 * media, named by a fresh id and `extension`; answers its path.
 */
export function saveMedia(extension, bytes) {
  return capability(() => raw.saveMedia(extension, bytes));
}
