// Desktop notifications on the node (the `notify` capability), through the freedesktop service
// on the session D-Bus. `send` fills in what is not given and throws a `Failure`; the raw
// bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/notify@0.1.9';

import { capability } from './failure.js';

export { raw };

/**
 * Shows `{ title, body, sound, urgency }` (`body` empty, `sound` a freedesktop sound name,
 * `urgency` 'low', 'normal' or 'critical', 'normal' unless given); answers the id the service
 * gave. No service throws a `Failure`.
 */
export function send({ title, body = '', sound, urgency = 'normal' }) {
  return capability(() => raw.send({ title, body, sound, urgency }));
}
