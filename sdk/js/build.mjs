#!/usr/bin/env node
// Makes a plugin project's entry module a component: bundles it with its imports (the SDK
// and anything from npm), keeping the contract's and WASI's imports for the component, then
// componentizes the bundle against the plugin's own world, so that the component imports
// only the capabilities the project lists. `openclaw plugins build` runs it.
//
//   node build.mjs --entry plugin.js --wit DIR --world NAME --work DIR --out NAME.wasm

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { componentize } from '@bytecodealliance/componentize-js';
import { rolldown } from 'rolldown';

const { values: args } = parseArgs({
  options: {
    entry: { type: 'string' },
    wit: { type: 'string' },
    world: { type: 'string' },
    work: { type: 'string' },
    out: { type: 'string' },
  },
});
for (const name of ['entry', 'wit', 'world', 'work', 'out']) {
  if (!args[name]) throw new Error(`--${name} is required`);
}

await mkdir(args.work, { recursive: true });
const bundled = join(args.work, 'bundle.js');
const bundle = await rolldown({
  input: resolve(args.entry),
  external: [/^openclaw:/, /^wasi:/],
  platform: 'neutral',
  logLevel: 'warn',
});
await bundle.write({ file: bundled, format: 'esm' });
await bundle.close();

const { component } = await componentize({
  sourcePath: bundled,
  witPath: resolve(args.wit),
  worldName: args.world,
  // The host serves no HTTP to plugins; a component importing it would not load.
  disableFeatures: ['http', 'fetch-event'],
});
await writeFile(args.out, component);
