// The node's position (the `location` capability).
export { current } from 'openclaw:plugin/location@0.1.8';
