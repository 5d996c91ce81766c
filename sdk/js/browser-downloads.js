// What the automation browser's tabs download (the `browser-automation` capability).
export {
  armDownload,
  awaitDownload,
  watchDownloads,
  collectDownloads,
} from 'openclaw:plugin/browser-downloads@0.1.8';
