import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const rmiCommand: Command = {
  name: 'rmi',
  usage: 'tsdock rmi [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Remove one or more images',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('rmi', argv, { force: { type: 'boolean', short: 'f' }, 'no-prune': { type: 'boolean' } }, { min: 1 });
    const engine = await ctx.engine();
    let status = 0;
    // Like Docker: each image is tried, failures are reported, and the exit code says if any failed.
    for (const target of positionals) {
      try {
        for (const e of await engine.removeImage(target, { force: values.force === true })) {
          ctx.stdout.write(e.untagged ? `Untagged: ${e.untagged}\n` : `Deleted: ${e.deleted}\n`);
        }
      } catch (err) {
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};
