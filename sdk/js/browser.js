// The node's canvas page (the `browser` capability): present, navigate, evaluate, capture.
export { present, hide, navigate, evaluate, capture, control } from 'openclaw:plugin/browser@0.1.8';
