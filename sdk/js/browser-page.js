// What a tab's page does and shows: DevTools commands, logs, dialogs, notes, media (the `browser-automation` capability).
export {
  send,
  logs,
  dialogs,
  answerDialog,
  armDialog,
  keepNote,
  note,
  saveMedia,
} from 'openclaw:plugin/browser-page@0.1.8';
