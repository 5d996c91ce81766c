// The capability modules against stand-ins of their bindings: what each wrapper passes to the
// binding, what it answers, and that a host failure is thrown as the SDK's `Failure`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fake, hostFailure } from './bindings.js';

const { Failure } = await import('../failure.js');
const sdk = {};
for (const name of [
  'notify', 'location', 'screen', 'camera', 'fs', 'uploads', 'exec', 'exec-approvals', 'browser',
  'browser-tabs', 'browser-page', 'browser-downloads', 'browser-files',
]) {
  sdk[name] = await import(`../${name}.js`);
}

const info = { kind: 'file', size: 5n, mtimeSec: 1700000000n, mtimeNsec: 0, device: 2049n, inode: 2n ** 60n, links: 1n, mode: 0o600, blocks: 8n };
const plainInfo = { ...info, size: 5, mtimeSec: 1700000000, links: 1, blocks: 8 };
const download = { url: 'u', suggestedFilename: 'a.txt', path: '/d/a.txt', size: 3n, content: undefined };

// [interface, the wrapper's call, binding, the arguments it gets, what it answers, what the wrapper answers]
const cases = [
  ['notify', (m) => m.send({ title: 'hi' }), 'send', [{ title: 'hi', body: '', sound: undefined, urgency: 'normal' }], 7, 7],
  ['location', (m) => m.current(), 'current', [undefined, 10000n], 'fix', 'fix'],
  ['location', (m) => m.current({ maxAgeMs: 0, timeoutMs: 500 }), 'current', [0n, 500n], 'fix', 'fix'],
  ['screen', (m) => m.capture({ fps: 5 }), 'capture', [0, 10000, 5], 'rec', 'rec'],
  ['camera', (m) => m.snap('/dev/video0'), 'snap', ['/dev/video0', 1600, 90], 'pic', 'pic'],
  ['camera', (m) => m.snapDelayed('/dev/video0', 2000, { quality: 50 }), 'snapDelayed', ['/dev/video0', 1600, 50, 2000], 'pic', 'pic'],
  ['camera', (m) => m.captureClip('/dev/video0'), 'captureClip', ['/dev/video0', 3000], 'clip', 'clip'],
  ['fs', (m) => m.lstat('/a'), 'lstat', ['/a'], info, plainInfo],
  ['fs', (m) => m.readFile('/a', 1024), 'readFile', ['/a', 1024n], { info, content: 'x', sha256: 'h' }, { info: plainInfo, content: 'x', sha256: 'h' }],
  ['fs', (m) => m.writeFile('/a', 'x'), 'writeFile', ['/a', 'x', 'keep', false], info, plainInfo],
  ['fs', (m) => m.writeFile('/a', 'x', { existing: 'replace', createParents: true }), 'writeFile', ['/a', 'x', 'replace', true], info, plainInfo],
  ['uploads', (m) => m.stage('a.txt', 'x'), 'stage', ['a.txt', 'x'], { path: '/t/a.txt', size: 1n }, { path: '/t/a.txt', size: 1 }],
  ['exec', (m) => m.run(['ls'], { env: { A: '1' }, timeoutMs: 50 }), 'run', [{ argv: ['ls'], rawCommand: undefined, cwd: undefined, env: [['A', '1']], timeoutMs: 50n, agentId: undefined, sessionKey: undefined, runId: undefined, suppressNotifyOnExit: true }], 'out', 'out'],
  ['exec-approvals', (m) => m.set('{}', 'h1'), 'set', ['{}', 'h1'], '{"hash":"h2"}', '{"hash":"h2"}'],
  ['browser', (m) => m.present({ width: 800 }), 'present', [{ x: undefined, y: undefined, width: 800, height: undefined }], undefined, undefined],
  ['browser', (m) => m.capture(), 'capture', [{ format: 'png', quality: undefined, maxWidth: undefined }], 'img', 'img'],
  ['browser', (m) => m.evaluate('1'), 'evaluate', ['1', 30000], '1', '1'],
  ['browser', (m) => m.control('GET', '/json', { query: { a: '1' } }), 'control', [{ method: 'GET', path: '/json', query: [['a', '1']], body: undefined, timeoutMs: 30000 }], 'res', 'res'],
  ['browser-tabs', (m) => m.start(), 'start', [undefined], undefined, undefined],
  ['browser-tabs', (m) => m.openTab('about:blank', { label: 'x' }), 'openTab', ['about:blank', 'x'], 'tab', 'tab'],
  ['browser-page', (m) => m.send('t1', 'Page.reload'), 'send', ['t1', 'Page.reload', '{}', 30000], '{}', '{}'],
  ['browser-page', (m) => m.logs('t1', { clearErrors: true }), 'logs', ['t1', true, false],
    { console: [{ kind: 'log', line: 3n, column: undefined }], errors: [], requests: [{ id: 'r', status: 200n }] },
    { console: [{ kind: 'log', line: 3, column: undefined }], errors: [], requests: [{ id: 'r', status: 200 }] }],
  ['browser-page', (m) => m.answerDialog('t1', true, { promptText: 'y' }), 'answerDialog', ['t1', undefined, true, 'y'], undefined, undefined],
  ['browser-page', (m) => m.armDialog('t1', false), 'armDialog', ['t1', false, undefined, 120000], undefined, undefined],
  ['browser-downloads', (m) => m.armDownload('t1'), 'armDownload', ['t1', undefined], 4n, 4],
  ['browser-downloads', (m) => m.awaitDownload(4), 'awaitDownload', [4n, 30000], download, { ...download, size: 3 }],
  ['browser-downloads', (m) => m.collectDownloads(2), 'collectDownloads', [2n, false], [download], [{ ...download, size: 3 }]],
  ['browser-files', (m) => m.armFileChooser('t1', ['/u/a']), 'armFileChooser', ['t1', ['/u/a'], 120000], 9n, 9],
  ['browser-files', (m) => m.awaitFileChooser(9, { timeoutMs: 5 }), 'awaitFileChooser', [9n, 5], undefined, undefined],
  ['browser-files', (m) => m.stageUpload([{ name: 'a', content: 'x' }]), 'stageUpload', [[{ name: 'a', content: 'x' }]], ['/u/1/a'], ['/u/1/a']],
];

test('each wrapper passes its binding plain arguments with defaults, and answers plain values', () => {
  for (const [name, call, binding, args, answer, expected] of cases) {
    const calls = fake(name, binding, () => answer);
    assert.deepEqual(call(sdk[name]), expected, `${name}.${binding}`);
    assert.deepEqual(calls, [args], `${name}.${binding}`);
  }
});

test("a host failure is thrown as the SDK's Failure, with its code", () => {
  const throws = (name, binding, call) => {
    fake(name, binding, () => {
      throw hostFailure('ENOENT', 'ENOENT: no such file or directory');
    });
    assert.throws(() => call(sdk[name]), (e) => e instanceof Failure && e.code === 'ENOENT', `${name}.${binding}`);
  };
  throws('notify', 'send', (m) => m.send({ title: 'x' }));
  throws('fs', 'readFile', (m) => m.readFile('/a', 1));
  throws('browser', 'hide', (m) => m.hide());
  throws('browser-tabs', 'tabs', (m) => m.tabs());
  throws('browser-page', 'keepNote', (m) => m.keepNote('t1', 'k', 'v'));
  throws('browser-files', 'discardUpload', (m) => m.discardUpload('/u/1/a'));
  throws('exec-approvals', 'get', (m) => m.get());
});

test("a value a binding cannot take is the caller's mistake", () => {
  fake('location', 'current', () => 'fix');
  assert.throws(() => sdk.location.current({ timeoutMs: 1.5 }), (e) => e instanceof Failure && e.code === 'INVALID_REQUEST');
});

test('what needs no reshaping is the binding itself, and every module keeps its bindings as raw', () => {
  assert.equal(sdk['browser-tabs'].status, sdk['browser-tabs'].raw.status);
  assert.equal(sdk.fs.home, sdk.fs.raw.home);
  for (const [name, module] of Object.entries(sdk)) {
    assert.equal(typeof module.raw, 'object', name);
  }
});
