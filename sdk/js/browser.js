// The node's canvas and browser (the `browser` capability): one headless Chromium page the host
// owns, and that browser's control endpoint (loopback only). The functions take options objects
// with defaults, a control request's `query` as an object, and throw a `Failure`; the raw
// bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/browser@0.1.9';

import { capability } from './failure.js';

export { raw };

/** Shows the canvas window, placed at `{ x, y, width, height }`; what is not given stays. */
export function present({ x, y, width, height } = {}) {
  return capability(() => raw.present({ x, y, width, height }));
}

/** Hides the window; the page stays loaded. */
export function hide() {
  return capability(() => raw.hide());
}

/** Loads a URL or an absolute file path and waits for it; answers the URL loaded. */
export function navigate(target) {
  return capability(() => raw.navigate(target));
}

/** Runs JavaScript in the page, awaiting a promise; answers the value as JSON text. */
export function evaluate(script, { timeoutMs = 30000 } = {}) {
  return capability(() => raw.evaluate(script, timeoutMs));
}

/** A picture of the canvas: `format` 'png' (unless given) or 'jpeg' of `quality` 1..=100. */
export function capture({ format = 'png', quality, maxWidth } = {}) {
  return capability(() => raw.capture({ format, quality, maxWidth }));
}

/**
 * One HTTP request (`GET`, `POST` or `DELETE`) to `path` on the browser control endpoint:
 * `query` an object, `body` JSON text. Answers `{ status, json, body, routeJson }`; bodies over
 * 24 MiB throw a `Failure` with code `PAYLOAD_TOO_LARGE`.
 */
export function control(method, path, { query = {}, body, timeoutMs = 30000 } = {}) {
  return capability(() => raw.control({ method, path, query: Object.entries(query), body, timeoutMs }));
}
