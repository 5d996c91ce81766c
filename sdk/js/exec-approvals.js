// Reading and replacing the exec approvals (the `exec-approvals` capability).
export { get, set } from 'openclaw:plugin/exec-approvals@0.1.8';
