import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { containerChanges } from '../../core/runtime/container-diff.js';
import { containerLayerDirs } from '../../core/runtime/container-layers.js';

export const diffCommand: Command = {
  name: 'diff',
  usage: 'tsdock diff CONTAINER',
  summary: "Inspect changes to files or directories on a container's filesystem",
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('diff', argv, {}, { min: 1, max: 1 });
    const engine = await ctx.engine();
    const containers = await engine.containers();
    const rec = await containers.find(positionals[0]!);
    const changes = await containerChanges(containers.paths.upper(rec.id), await containerLayerDirs(engine.store, rec));
    ctx.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    return 0;
  },
};
