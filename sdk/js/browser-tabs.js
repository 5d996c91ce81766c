// The automation browser's life and tabs (the `browser-automation` capability): a Chromium of
// its own that browser control drives, never the canvas's. Tabs are named `t1`, `t2`, ... as
// they are first seen, and may carry a label. The functions that can fail take options objects
// and throw a `Failure`; the raw bindings stay reachable as `raw`.
import * as raw from 'openclaw:plugin/browser-tabs@0.1.9';

import { capability } from './failure.js';

export { raw };
export { status, stop, currentTab } from 'openclaw:plugin/browser-tabs@0.1.9';

/** Starts the browser unless it runs (a running one is left as it is). */
export function start({ headless } = {}) {
  return capability(() => raw.start(headless));
}

/** The page tabs, named; `undefined` when the browser does not run. */
export function tabs() {
  return capability(() => raw.tabs());
}

/** Opens `url` in a new background tab, named (and labelled) at once. */
export function openTab(url, { label } = {}) {
  return capability(() => raw.openTab(url, label));
}

export function focusTab(targetId) {
  return capability(() => raw.focusTab(targetId));
}

export function closeTab(targetId) {
  return capability(() => raw.closeTab(targetId));
}

/** Labels a tab; another tab with that label loses it. */
export function labelTab(targetId, label) {
  return capability(() => raw.labelTab(targetId, label));
}

/** What the running browser says of its graphics and system, read once per run. */
export function systemInfo() {
  return capability(() => raw.systemInfo());
}
