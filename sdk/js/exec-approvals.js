// Reading and replacing the node's exec approvals (the `exec-approvals` capability, a grant of
// its own: whoever edits the approvals decides what `exec` may run). Both functions throw a
// `Failure`; the raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/exec-approvals@0.1.9';

import { capability } from './failure.js';

export { raw };

/** The approvals as JSON text: `{path, exists, hash, file}`. */
export function get() {
  return capability(() => raw.get());
}

/** Replaces the approvals document; `baseHash` must name the stored one. Answers as `get`. */
export function set(fileJson, baseHash) {
  return capability(() => raw.set(fileJson, baseHash));
}
