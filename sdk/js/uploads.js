// Staging files the gateway sends (the `uploads` capability).
export { stage } from 'openclaw:plugin/uploads@0.1.8';
