// Files handed to the node to keep for a while (the `uploads` capability, terminal uploads):
// each in a fresh private dir under the system temp dir, removed 24 hours later. `stage`
// answers its size as a number and throws a `Failure`; the raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/uploads@0.1.9';

import { capability } from './failure.js';
import { number } from './params.js';

export { raw };

/**
 * Stages `content` (a Uint8Array) as a file named `name`, one plain file name; answers
 * `{ path, size }`. Every failure is `INVALID_REQUEST`, in the real node host's words.
 */
export function stage(name, content) {
  return capability(() => {
    const staged = raw.stage(name, content);
    return { ...staged, size: number(staged.size) };
  });
}
