import type { Readable, Writable } from 'node:stream';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { humanSize } from '../../core/format/human.js';
import { containerLayerDirs } from '../../core/runtime/container-layers.js';
import {
  containerDestination,
  containerSource,
  contentSize,
  copyResource,
  CopyError,
  localDestination,
  localSource,
  splitCpArg,
  tarTo,
  untarFrom,
  withContainerFs,
} from '../../core/runtime/container-fs.js';

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
    const followLink = values['follow-link'] === true;
    const keepOwners = values.archive === true;
    // Progress goes to a terminal only, as Docker's.
    const report = ctx.isTTY && values.quiet !== true;
    const engine = await ctx.engine();
    const containers = await engine.containers();
    const layers = (rec: Parameters<typeof containerLayerDirs>[1]) => containerLayerDirs(engine.store, rec);

    if (src.container !== undefined) {
      const name = src.container;
      await withContainerFs(containers, name, layers, async (fs) => {
        const source = await containerSource(fs, name, src.path, followLink);
        if (dst.path === '-') {
          await tarTo(source, ctx.stdout as Writable);
          return;
        }
        const dest = await localDestination(dst.path);
        const owner = keepOwners ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
        await copyResource(source, dest, owner);
        if (report) ctx.stderr.write(`Successfully copied ${humanSize(await contentSize(source.host))} to ${dest.host}\n`);
      });
      return 0;
    }

    const name = dst.container!;
    if (src.path === '-') {
      await withContainerFs(containers, name, layers, async (fs) => {
        const dest = await containerDestination(fs, name, dst.path);
        if (!dest.exists || !dest.isDir) throw new CopyError(`destination "${name}:${dst.path}" must be a directory`);
        await untarFrom(ctx.stdin as Readable, dest.host, keepOwners);
      });
      return 0;
    }
    const source = await localSource(src.path, followLink);
    await withContainerFs(containers, name, layers, async (fs) => {
      const dest = await containerDestination(fs, name, dst.path);
      // Without -a, what is copied into a container belongs to its root user.
      await copyResource(source, dest, keepOwners ? undefined : { uid: 0, gid: 0 });
      if (report) ctx.stderr.write(`Successfully copied ${humanSize(await contentSize(source.host))} to ${name}:${dest.resolved.container}\n`);
    });
    return 0;
  },
};
