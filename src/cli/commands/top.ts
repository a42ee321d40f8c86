import type { Command } from '../command.js';
import { parseCommandArgs, splitAtPositional } from '../args.js';
import { renderProcessTable } from '../../core/index.js';

export const topCommand: Command = {
  name: 'top',
  usage: 'tsdock top CONTAINER [ps OPTIONS]',
  summary: 'Display the running processes of a container',
  async run(ctx, argv) {
    // Everything after the container belongs to ps (`top c -o pid,comm`).
    const { head, rest } = splitAtPositional(argv, {}, 1);
    const { positionals } = parseCommandArgs('top', head, {}, { min: 1, max: 1 });
    const containers = await (await ctx.engine()).containers();
    ctx.stdout.write(renderProcessTable(await containers.top(positionals[0]!, rest)));
    return 0;
  },
};
