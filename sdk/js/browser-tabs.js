// The automation browser's life and tabs (the `browser-automation` capability).
export {
  status,
  start,
  stop,
  tabs,
  openTab,
  focusTab,
  closeTab,
  labelTab,
  currentTab,
  systemInfo,
} from 'openclaw:plugin/browser-tabs@0.1.8';
