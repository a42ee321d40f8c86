import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { inspectPrinter } from '../format/inspect-format.js';

export const imageInspectCommand: Command = {
  name: 'inspect',
  usage: 'tsdock image inspect [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Display detailed information on one or more images',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('image inspect', argv, { format: { type: 'string', short: 'f' }, type: { type: 'string' } }, { min: 1 });
    const engine = await ctx.engine();
    const print = inspectPrinter(values.format as string | undefined);
    const found: unknown[] = [];
    let status = 0;
    for (const q of positionals) {
      try {
        found.push(await engine.inspectImage(q));
      } catch (err) {
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    ctx.stdout.write(print(found));
    return status;
  },
};
