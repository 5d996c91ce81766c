// The node's display (the `screen` capability): recordings.
export { display, capture } from 'openclaw:plugin/screen@0.1.8';
