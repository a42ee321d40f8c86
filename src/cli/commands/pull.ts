import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { parseReference, familiarString } from '../../core/index.js';
import { PullProgressPrinter } from '../format/pull-progress.js';

export const pullCommand: Command = {
  name: 'pull',
  usage: 'tsdock pull [OPTIONS] NAME[:TAG|@DIGEST]',
  summary: 'Download an image from a registry',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('pull', argv, { quiet: { type: 'boolean', short: 'q' }, platform: { type: 'string' } }, { min: 1, max: 1 });
    const input = positionals[0]!;
    const ref = parseReference(input);
    const engine = await ctx.engine();
    const quiet = values.quiet === true;
    const out = ctx.stdout;
    if (!quiet) {
      if (!/[:@][^/]*$/.test(input)) out.write('Using default tag: latest\n');
      out.write(`${ref.digest ?? ref.tag}: Pulling from ${ref.path}\n`);
    }
    const printer = new PullProgressPrinter(out, ctx.isTTY);
    const result = await engine.pull(input, { platform: values.platform as string | undefined, onEvent: quiet ? undefined : printer.handle });
    if (!quiet) {
      out.write(`Digest: ${result.manifestDigest}\n`);
      const shown = familiarString(ref);
      out.write(result.downloaded ? `Status: Downloaded newer image for ${shown}\n` : `Status: Image is up to date for ${shown}\n`);
    }
    out.write(`${result.reference}\n`);
    return 0;
  },
};
