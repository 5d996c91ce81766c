// The node's position (the `location` capability): gpsd, or a position from the config. Off
// unless the operator turns it on (`LOCATION_DISABLED`). `current` takes an options object of
// plain numbers and throws a `Failure`; the raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/location@0.1.9';

import { capability } from './failure.js';
import { bigint } from './params.js';

export { raw };

/**
 * A fix no older than `maxAgeMs` (absent: a new one), waiting up to `timeoutMs` (10 s unless
 * given); none in time throws a `Failure` with code `TIMEOUT`.
 */
export function current({ maxAgeMs, timeoutMs = 10000 } = {}) {
  return capability(() => raw.current(bigint(maxAgeMs), BigInt(timeoutMs)));
}
