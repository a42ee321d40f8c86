import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { humanSize } from '../../core/index.js';
import { confirm } from '../prompt.js';

export const imagePruneCommand: Command = {
  name: 'prune',
  usage: 'tsdock image prune [OPTIONS]',
  summary: 'Remove unused images',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('image prune', argv, { all: { type: 'boolean', short: 'a' }, force: { type: 'boolean', short: 'f' } }, { max: 0 });
    const all = values.all === true;
    const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
    if (!values.force && !(await confirm(ctx, `${warning}\nAre you sure you want to continue? [y/N] `))) return 0;
    const { entries, reclaimed } = await (await ctx.engine()).pruneImages({ all });
    if (entries.length > 0) {
      ctx.stdout.write('Deleted Images:\n');
      for (const e of entries) ctx.stdout.write(e.untagged ? `untagged: ${e.untagged}\n` : `deleted: ${e.deleted}\n`);
      ctx.stdout.write('\n');
    }
    ctx.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  },
};
