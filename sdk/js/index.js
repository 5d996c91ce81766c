// The SDK for OpenClaw node plugins in JavaScript.
//
// The plugin's entry module exports `plugin = new Plugin({ caps })` with its commands;
// `openclaw plugins build` bundles it and makes it a component. Capabilities are the modules
// `@openclaw/plugin-sdk/exec`, `/fs`, `/log`, ...; a plugin imports those it lists in
// package.json's `openclaw.capabilities`, and the node links each only where the operator
// granted it.

import { Failure } from './failure.js';
import { decode } from './params.js';

export { Failure, code } from './failure.js';

/** A plugin's caps and commands; the component exports it as `openclaw:plugin/plugin`. */
export class Plugin {
  constructor({ caps }) {
    this.caps = [...caps];
    this.commands = new Map();
    // The component calls these as plain functions of the exported object, not as methods.
    this.describe = this.describe.bind(this);
    this.invoke = this.invoke.bind(this);
  }

  /**
   * Registers command `name`: `handler(call, params)` answers anything `JSON.stringify`
   * takes, or throws a `Failure`. `params` is checked against `schema` first (see params.js).
   */
  command(name, summary, schema, handler) {
    if (this.commands.has(name)) throw new Error(`command ${name} is declared twice`);
    this.commands.set(name, { summary, schema, handler });
    return this;
  }

  describe() {
    const commands = [...this.commands].map(([name, c]) => ({ name, summary: c.summary }));
    return { caps: [...this.caps], commands };
  }

  /** Runs `command` with the invoke's params JSON; answers the payload as JSON text. */
  invoke(call, command, paramsJson) {
    const found = this.commands.get(command);
    if (!found) throw Failure.unavailable('command not supported');
    let value;
    try {
      value = paramsJson === undefined || paramsJson === null ? {} : JSON.parse(paramsJson);
    } catch {
      throw Failure.invalid('paramsJSON malformed JSON');
    }
    try {
      const answer = found.handler(call, decode(found.schema, value));
      if (typeof answer?.then === 'function') {
        throw new Error(`${command} answered a promise; a command answers synchronously`);
      }
      return JSON.stringify(answer === undefined ? null : answer);
    } catch (e) {
      throw Failure.of(e);
    }
  }
}

/** The invoke being served, as the host passes it. */
export const Call = Object.freeze({
  /** The call a plugin's own tests pass: ids `local`, 30 s left, no idempotency key. */
  local() {
    return { invokeId: 'local', nodeId: 'local', timeoutMs: 30000, idempotencyKey: undefined };
  },
});
