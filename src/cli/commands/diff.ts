import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const diffCommand: Command = {
  name: 'diff',
  usage: 'tsdock diff CONTAINER',
  summary: "Inspect changes to files or directories on a container's filesystem",
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('diff', argv, {}, { min: 1, max: 1 });
    const containers = await (await ctx.engine()).containers();
    const changes = await containers.diff(positionals[0]!);
    ctx.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    return 0;
  },
};
