import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../args.js';

const FORMATS = ['docker-archive', 'oci-archive'] as const;

export const saveCommand: Command = {
  name: 'save',
  usage: 'tsdock save [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('save', argv, { output: { type: 'string', short: 'o' }, format: { type: 'string' } }, { min: 1 });
    const format = (values.format as string | undefined) ?? 'docker-archive';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`invalid --format "${format}": use docker-archive or oci-archive`, 'save');
    const output = values.output as string | undefined;
    if (output === undefined && ctx.isTTY) throw new Error('Cowardly refusing to save to a terminal. Use the -o flag or redirect.');
    await (await ctx.engine()).save(positionals, { format: format as (typeof FORMATS)[number], output: output ?? ctx.stdout });
    return 0;
  },
};
