import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const tagsCommand: Command = {
  name: 'tags',
  usage: 'tsdock tags REPOSITORY',
  summary: "List a registry repository's tags",
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('tags', argv, {}, { min: 1, max: 1 });
    const tags = await (await ctx.engine()).remoteTags(positionals[0]!);
    ctx.stdout.write(tags.map((t) => `${t}\n`).join(''));
    return 0;
  },
};

export const catalogCommand: Command = {
  name: 'catalog',
  usage: 'tsdock catalog REGISTRY',
  summary: "List a registry's repositories (where the registry allows it)",
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('catalog', argv, {}, { min: 1, max: 1 });
    const repos = await (await ctx.engine()).catalog(positionals[0]!);
    ctx.stdout.write(repos.map((r) => `${r}\n`).join(''));
    return 0;
  },
};
