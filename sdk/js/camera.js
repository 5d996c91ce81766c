// The node's cameras (the `camera` capability): devices, pictures and clips.
export { devices, snap, snapDelayed, captureClip } from 'openclaw:plugin/camera@0.1.8';
