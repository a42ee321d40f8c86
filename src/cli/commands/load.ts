import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { familiarTag, shortId } from '../../core/index.js';
import { progressBar } from '../format/pull-progress.js';
import { ProgressLines } from '../format/progress-lines.js';

export const loadCommand: Command = {
  name: 'load',
  usage: 'tsdock load [OPTIONS]',
  summary: 'Load images from a tar archive or STDIN',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('load', argv, { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean', short: 'q' } }, { max: 0 });
    const input = values.input as string | undefined;
    if (input === undefined && (ctx.stdin as NodeJS.ReadStream).isTTY === true) throw new Error('requested load from stdin, but stdin is empty');
    // As Docker: a progress bar per layer on a terminal, nothing of it elsewhere or with -q.
    const lines = ctx.isTTY && values.quiet !== true ? new ProgressLines(ctx.stdout, true) : undefined;
    const result = await (await ctx.engine()).load(input ?? (ctx.stdin as NodeJS.ReadStream), {
      onProgress: lines && ((p) => lines.show(shortId(p.diffId), `Loading layer ${progressBar(p.current, p.total)}`)),
    });
    for (const r of result.replaced) ctx.stdout.write(`The image ${familiarTag(r.tag)} already exists, renaming the old one with ID ${r.previous} to empty string\n`);
    for (const image of result.images) {
      if (image.tags.length === 0) ctx.stdout.write(`Loaded image ID: ${image.id}\n`);
      for (const t of image.tags) ctx.stdout.write(`Loaded image: ${familiarTag(t)}\n`);
    }
    return 0;
  },
};
