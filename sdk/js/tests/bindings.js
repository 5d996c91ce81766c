// Stand-ins for the contract's bindings, so that the capability modules load outside a
// component: each function of an interface calls what a test set with `fake`, and what it was
// called with is kept. Import this first, then the capability modules with `await import(...)`.
import { register } from 'node:module';

const fakes = new Map();

globalThis.openclawBindings = {
  call(name, fn, args) {
    const fake = fakes.get(`${name}.${fn}`);
    if (!fake) throw new Error(`${name}.${fn} was not faked`);
    fake.calls.push(args);
    return fake.answer(...args);
  },
};

register('./bindings-hooks.js', import.meta.url);

/** Fakes `fn` of interface `name`: it answers `answer(...args)`; answers its calls' arguments. */
export function fake(name, fn, answer = () => undefined) {
  const calls = [];
  fakes.set(`${name}.${fn}`, { calls, answer });
  return calls;
}

/** What a binding throws for the contract's `failure`, as componentize-js throws it. */
export function hostFailure(code, message) {
  const e = new Error(message);
  e.payload = { code, message };
  return e;
}
