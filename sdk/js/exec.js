// Processes on the node (the `exec` capability); the host applies the exec approvals to every call.
// `which`, `prepare` and `run` are the JavaScript shapes of the contract's functions; the raw
// bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/exec@0.1.9';

import { capability } from './failure.js';
import { bigint } from './params.js';

export { raw };
export { screenRecordingPermitted } from 'openclaw:plugin/exec@0.1.9';

/** The path of each name found on the node's PATH, as an object; names not found are left out. */
export function which(bins) {
  return Object.fromEntries(raw.which([...bins]));
}

/**
 * A run request: argv and whatever options are given (`rawCommand`, `cwd`, `env` as an object,
 * `timeoutMs` as a number, `agentId`, `sessionKey`, `runId`, `notifyOnExit`).
 */
export function request(argv, options = {}) {
  const { rawCommand, cwd, env = {}, timeoutMs, agentId, sessionKey, runId } = options;
  return {
    argv: [...argv],
    rawCommand,
    cwd,
    env: Object.entries(env),
    timeoutMs: bigint(timeoutMs),
    agentId,
    sessionKey,
    runId,
    suppressNotifyOnExit: !options.notifyOnExit,
  };
}

/** Runs argv when the approvals allow it; a denial throws a `Failure` (`SYSTEM_RUN_DENIED`). */
export function run(argv, options) {
  return capability(() => raw.run(request(argv, options)));
}

/** What `run` would execute, as the `system.run.prepare` payload (JSON text). */
export function prepare(argv, options) {
  return capability(() => raw.prepare(request(argv, options)));
}
