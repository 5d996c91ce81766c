// which-js: finds programs on the node's PATH, through the `exec` capability.
import { Failure, Plugin } from '@openclaw/plugin-sdk';
import { which } from '@openclaw/plugin-sdk/exec';
import { info } from '@openclaw/plugin-sdk/log';

export const plugin = new Plugin({ caps: ['which-js'] })
  .command('which-js.greet', 'Greets someone by name', { name: 'string' }, (_call, { name }) => ({
    greeting: `Hello, ${name}!`,
  }))
  .command('which-js.which', "Finds programs on the node's PATH", { bins: ['string'] }, (_call, { bins }) => {
    if (bins.length === 0) throw Failure.invalid('bins must not be empty');
    info(`looking for ${bins.length} programs`);
    return { bins: which(bins) };
  });
