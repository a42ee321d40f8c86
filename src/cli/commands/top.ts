import type { Command } from '../command.js';
import { parseCommandArgs, splitAtPositional } from '../args.js';
import { parsePsOutput, renderProcessTable } from '../../core/runtime/container-top.js';

export const topCommand: Command = {
  name: 'top',
  usage: 'tsdock top CONTAINER [ps OPTIONS]',
  summary: 'Display the running processes of a container',
  async run(ctx, argv) {
    // Everything after the container belongs to ps (`top c -o pid,comm`).
    const { head, rest } = splitAtPositional(argv, {}, 1);
    const { positionals } = parseCommandArgs('top', head, {}, { min: 1, max: 1 });
    const containers = await (await ctx.engine()).containers();
    const rec = await containers.find(positionals[0]!);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new Error(`container ${rec.id} is not running`);
    const output = await containers.runcFor(rec).ps(rec.id, rest);
    ctx.stdout.write(renderProcessTable(parsePsOutput(output)));
    return 0;
  },
};
