// Desktop notifications on the node (the `notify` capability).
export { send } from 'openclaw:plugin/notify@0.1.8';
