import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const renameCommand: Command = {
  name: 'rename',
  usage: 'tsdock rename CONTAINER NEW_NAME',
  summary: 'Rename a container',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('rename', argv, {}, { min: 2, max: 2 });
    const containers = await (await ctx.engine()).containers();
    try {
      await containers.rename(positionals[0]!, positionals[1]!);
    } catch (err) {
      throw new Error(`failed to rename container: ${(err as Error).message}`);
    }
    return 0;
  },
};
