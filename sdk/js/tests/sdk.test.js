// The SDK outside a component: params, answers and failures as a command sees them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Call, Failure, Plugin, code } from '../index.js';

const plugin = new Plugin({ caps: ['demo'] })
  .command('demo.greet', 'Greets', { name: 'string', times: 'integer?', tags: [{ tag: 'string' }] }, (_call, p) => ({
    greeting: `Hello, ${p.name}!`.repeat(p.times ?? 1),
    tags: p.tags.map((t) => t.tag),
  }))
  .command('demo.whoami', 'Answers the call', undefined, (call) => call)
  .command('demo.parse', 'Parses', { n: 'string' }, (_call, p) => {
    const n = BigInt(p.n);
    return { n: Number(n) };
  })
  .command('demo.later', 'Answers a promise', undefined, async () => ({}))
  .command('demo.denied', 'Fails as a capability does', undefined, () => {
    const e = new Error('denied');
    e.payload = { code: 'SYSTEM_RUN_DENIED', message: 'SYSTEM_RUN_DENIED: approval required' };
    throw e;
  });

const invoke = (command, params) => JSON.parse(plugin.invoke(Call.local(), command, params));
const failure = (command, params) => {
  try {
    plugin.invoke(Call.local(), command, params);
  } catch (e) {
    assert.ok(e instanceof Failure, `${command} threw ${e}`);
    return e.payload;
  }
  assert.fail(`${command} did not fail`);
};

test('typed params reach the command', () => {
  const answer = invoke('demo.greet', '{"name":"Ada","times":2,"tags":[{"tag":"x"}],"extra":1}');
  assert.deepEqual(answer, { greeting: 'Hello, Ada!Hello, Ada!', tags: ['x'] });
});

test("bad params are the caller's mistake", () => {
  const cases = {
    '{': 'INVALID_REQUEST: paramsJSON malformed JSON',
    '{}': 'INVALID_REQUEST: missing field `name` in params',
    '{"name":1,"tags":[]}': 'INVALID_REQUEST: params.name must be a string, not number',
    '{"name":"a","times":1.5,"tags":[]}': 'INVALID_REQUEST: params.times must be an integer, not number',
    '{"name":"a","tags":[{}]}': 'INVALID_REQUEST: missing field `tag` in params.tags[0]',
    '[]': 'INVALID_REQUEST: params must be an object, not array',
  };
  for (const [params, message] of Object.entries(cases)) {
    assert.deepEqual(failure('demo.greet', params), { code: code.INVALID_REQUEST, message }, params);
  }
});

test('a command without a schema takes any params, or none', () => {
  assert.equal(invoke('demo.whoami', undefined).invokeId, 'local');
  assert.equal(invoke('demo.whoami', '{"x":1}').nodeId, 'local');
});

test('thrown errors become failures, and a capability failure keeps its code', () => {
  const bad = failure('demo.parse', '{"n":"x"}');
  assert.equal(bad.code, code.INVALID_REQUEST);
  assert.match(bad.message, /SyntaxError: Cannot convert x to a BigInt/);
  assert.deepEqual(failure('demo.denied'), {
    code: 'SYSTEM_RUN_DENIED',
    message: 'SYSTEM_RUN_DENIED: approval required',
  });
  assert.match(failure('demo.later').message, /answered a promise/);
});

test('the code prefixes a reason once on the wire', () => {
  const invalid = Failure.invalid('bins required');
  assert.equal(invalid.message, 'bins required');
  assert.equal(String(invalid), 'INVALID_REQUEST: bins required');
  for (const worded of ['INVALID_REQUEST: bins required', 'Error: INVALID_REQUEST: path required']) {
    assert.equal(Failure.invalid(worded).payload.message, worded);
  }
  assert.equal(Failure.unavailable('no camera').payload.message, 'no camera');
});

test('a handler takes the call, then its params', () => {
  const seen = [];
  new Plugin({ caps: ['demo'] })
    .command('demo.both', 'Both', { n: 'integer' }, (call, params) => seen.push(call.nodeId, params.n))
    .invoke(Call.local(), 'demo.both', '{"n":7}');
  assert.deepEqual(seen, ['local', 7]);
});

test('unknown commands are not supported', () => {
  assert.deepEqual(failure('demo.nope'), { code: code.UNAVAILABLE, message: 'command not supported' });
});
