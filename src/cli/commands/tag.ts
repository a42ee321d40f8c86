import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const tagCommand: Command = {
  name: 'tag',
  usage: 'tsdock tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('tag', argv, {}, { min: 2, max: 2 });
    await (await ctx.engine()).tagImage(positionals[0]!, positionals[1]!);
    return 0;
  },
};
