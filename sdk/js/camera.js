// The node's V4L2 cameras (the `camera` capability): pictures (JPEG) and clips (mp4), base64.
// The functions that can fail take an options object and throw a `Failure`; the raw bindings
// stay reachable as `raw`.
import * as raw from 'openclaw:plugin/camera@0.1.9';

import { capability } from './failure.js';

export { raw };
export { devices } from 'openclaw:plugin/camera@0.1.9';

/** One frame, at most `maxWidth` wide, JPEG `quality` 1..=100. */
export function snap(deviceId, { maxWidth = 1600, quality = 90 } = {}) {
  return capability(() => raw.snap(deviceId, maxWidth, quality));
}

/** As `snap`, but the frame `delayMs` (at most 10000) into the video, once exposure settled. */
export function snapDelayed(deviceId, delayMs, { maxWidth = 1600, quality = 90 } = {}) {
  return capability(() => raw.snapDelayed(deviceId, maxWidth, quality, delayMs));
}

/** A clip of `durationMs`, clamped to 60 s. */
export function captureClip(deviceId, { durationMs = 3000 } = {}) {
  return capability(() => raw.captureClip(deviceId, durationMs));
}
