import type { Readable } from 'node:stream';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { humanSize, CopyError, splitCpArg } from '../../core/index.js';

export const cpCommand: Command = {
  name: 'cp',
  usage: 'tsdock cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\ttsdock cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  summary: 'Copy files/folders between a container and the local filesystem',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'cp',
      argv,
      {
        archive: { type: 'boolean', short: 'a' },
        'follow-link': { type: 'boolean', short: 'L' },
        quiet: { type: 'boolean', short: 'q' },
      },
      { min: 2, max: 2 },
    );
    const [srcArg, dstArg] = positionals as [string, string];
    if (srcArg === '') throw new CopyError('source can not be empty');
    if (dstArg === '') throw new CopyError('destination can not be empty');
    const src = splitCpArg(srcArg);
    const dst = splitCpArg(dstArg);
    if (src.container !== undefined && dst.container !== undefined) throw new CopyError('copying between containers is not supported');
    if (src.container === undefined && dst.container === undefined) throw new CopyError('must specify at least one container source');
    const opts = { followLink: values['follow-link'] === true, archive: values.archive === true };
    // Progress goes to a terminal only, as Docker's.
    const report = ctx.isTTY && values.quiet !== true;
    const engine = await ctx.engine();

    if (src.container !== undefined) {
      const to = dst.path === '-' ? { stream: ctx.stdout } : { hostPath: dst.path };
      const r = await engine.copyFromContainer(src.container, src.path, to, opts);
      if (report && dst.path !== '-') ctx.stderr.write(`Successfully copied ${humanSize(r.bytes)} to ${r.destination}\n`);
      return 0;
    }
    const from = src.path === '-' ? { stream: ctx.stdin as Readable } : { hostPath: src.path };
    const r = await engine.copyToContainer(dst.container!, dst.path, from, opts);
    if (report && src.path !== '-') ctx.stderr.write(`Successfully copied ${humanSize(r.bytes)} to ${r.destination}\n`);
    return 0;
  },
};
