// `tsdock port CONTAINER [PRIVATE_PORT[/PROTO]]`: the container's published ports, as Docker prints them.
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { formatPortLines, parsePortFilter, portKey } from '../../core/index.js';

export const portCommand: Command = {
  name: 'port',
  usage: 'tsdock port CONTAINER [PRIVATE_PORT[/PROTO]]',
  summary: 'List port mappings or a specific mapping for the container',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('port', argv, {}, { min: 1, max: 2 });
    const [query, filter] = positionals as [string, string | undefined];
    const published = await (await (await ctx.engine()).containers()).ports(query);
    if (filter !== undefined) {
      const { port, protocol } = parsePortFilter(filter);
      const lines = formatPortLines(published, filter);
      if (!lines.length) {
        ctx.stderr.write(`Error: No public port '${portKey(port, protocol)}' published for ${query}\n`);
        return 1;
      }
      ctx.stdout.write(lines.map((l) => `${l}\n`).join(''));
      return 0;
    }
    ctx.stdout.write(formatPortLines(published).map((l) => `${l}\n`).join(''));
    return 0;
  },
};
