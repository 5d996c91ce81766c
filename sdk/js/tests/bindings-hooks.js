// Module hooks for `bindings.js`: `openclaw:plugin/<interface>@<version>` loads as a module that
// exports the functions `wit/<interface>.wit` declares, each calling the fake a test set.
import { readFileSync } from 'node:fs';

const PREFIX = 'openclaw:plugin/';

export async function resolve(specifier, context, next) {
  return specifier.startsWith(PREFIX) ? { url: specifier, shortCircuit: true } : next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith(PREFIX)) return next(url, context);
  const name = url.slice(PREFIX.length, url.indexOf('@'));
  const wit = readFileSync(new URL(`../../../wit/${name}.wit`, import.meta.url), 'utf8');
  const functions = [...wit.matchAll(/^ {4}([a-z0-9-]+): func/gm)].map(([, f]) =>
    f.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()),
  );
  const source = functions
    .map((f) => `export function ${f}(...args) { return globalThis.openclawBindings.call('${name}', '${f}', args); }`)
    .join('\n');
  return { format: 'module', source, shortCircuit: true };
}
