// The host log (the `log` capability): lines tagged with the plugin's name.
import { write } from 'openclaw:plugin/log@0.1.9';

export const debug = (message) => write('debug', String(message));
export const info = (message) => write('info', String(message));
export const warn = (message) => write('warn', String(message));
export const error = (message) => write('error', String(message));
