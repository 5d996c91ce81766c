// Processes on the node (the `exec` capability); the host applies the exec approvals to every call.
export { which, prepare, run, screenRecordingPermitted } from 'openclaw:plugin/exec@0.1.7';
