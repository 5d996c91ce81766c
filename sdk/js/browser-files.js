// Files given to a tab's page, and uploads a request carried (the `browser-automation` capability).
export {
  setInputFiles,
  armFileChooser,
  awaitFileChooser,
  stageUpload,
  discardUpload,
} from 'openclaw:plugin/browser-files@0.1.8';
