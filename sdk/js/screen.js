// Recordings of the screens of the node's X display (the `screen` capability), as base64 mp4.
// `capture` takes an options object and throws a `Failure`; the raw bindings stay reachable
// as `raw`.
import * as raw from 'openclaw:plugin/screen@0.1.9';

import { capability } from './failure.js';

export { raw };
export { display } from 'openclaw:plugin/screen@0.1.9';

/** Records X screen `screenIndex` for `durationMs` (clamped to 60 s) at `fps`. */
export function capture({ screenIndex = 0, durationMs = 10000, fps = 10 } = {}) {
  return capability(() => raw.capture(screenIndex, durationMs, fps));
}
