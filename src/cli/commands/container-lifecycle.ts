import type { Command, CliContext } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { type ContainerService, humanSize } from '../../core/index.js';
import { confirm } from '../prompt.js';
import { EXIT_FAILED } from '../exit-codes.js';

/**
 * Commands that apply one action to each named container and print the name as given, as
 * Docker does; a failure on one is reported and the others still run (exit 1 if any failed).
 */
function eachContainer(name: string, summary: string, options: Parameters<typeof parseCommandArgs>[2], action: (c: ContainerService, target: string, values: Record<string, unknown>, ctx: CliContext) => Promise<void>): Command {
  return {
    name,
    usage: `tsdock ${name} [OPTIONS] CONTAINER [CONTAINER...]`,
    summary,
    async run(ctx, argv) {
      const { values, positionals } = parseCommandArgs(name, argv, options, { min: 1 });
      const containers = await (await ctx.engine()).containers();
      let status = 0;
      for (const target of positionals) {
        try {
          await action(containers, target, values, ctx);
        } catch (err) {
          ctx.stderr.write(`Error: ${(err as Error).message}\n`);
          status = EXIT_FAILED;
        }
      }
      return status;
    },
  };
}

export const startCommand: Command = {
  name: 'start',
  usage: 'tsdock start [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Start one or more stopped containers',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('start', argv, { attach: { type: 'boolean', short: 'a' }, interactive: { type: 'boolean', short: 'i' } }, { min: 1 });
    const containers = await (await ctx.engine()).containers();
    if (values.attach || values.interactive) {
      if (positionals.length > 1) throw new Error('you cannot start and attach multiple containers at once');
      const rec = await containers.find(positionals[0]!);
      return ctx.closedOutput.hold((outputClosed) =>
        containers.runAttached(rec.id, {
          stdin: values.interactive ? (ctx.stdin as NodeJS.ReadStream) : undefined,
          stdout: ctx.stdout as NodeJS.WriteStream,
          stderr: ctx.stderr as NodeJS.WriteStream,
          outputClosed,
        }),
      );
    }
    let status = 0;
    for (const target of positionals) {
      try {
        await containers.start(target);
        ctx.stdout.write(`${target}\n`);
      } catch (err) {
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        status = EXIT_FAILED;
      }
    }
    return status;
  },
};

export const stopCommand = eachContainer('stop', 'Stop one or more running containers', { time: { type: 'string', short: 't' }, signal: { type: 'string', short: 's' } }, async (c, target, values, ctx) => {
  await c.stop(target, values.time !== undefined ? Number(values.time) : undefined);
  ctx.stdout.write(`${target}\n`);
});

export const killCommand = eachContainer('kill', 'Kill one or more running containers', { signal: { type: 'string', short: 's' } }, async (c, target, values, ctx) => {
  await c.kill(target, (values.signal as string | undefined) ?? 'SIGKILL');
  ctx.stdout.write(`${target}\n`);
});

export const restartCommand = eachContainer('restart', 'Restart one or more containers', { time: { type: 'string', short: 't' } }, async (c, target, values, ctx) => {
  await c.restart(target, values.time !== undefined ? Number(values.time) : undefined);
  ctx.stdout.write(`${target}\n`);
});

export const pauseCommand = eachContainer('pause', 'Pause all processes within one or more containers', {}, async (c, target, _v, ctx) => {
  await c.pause(target);
  ctx.stdout.write(`${target}\n`);
});

export const unpauseCommand = eachContainer('unpause', 'Unpause all processes within one or more containers', {}, async (c, target, _v, ctx) => {
  await c.unpause(target);
  ctx.stdout.write(`${target}\n`);
});

export const rmCommand = eachContainer('rm', 'Remove one or more containers', { force: { type: 'boolean', short: 'f' }, volumes: { type: 'boolean', short: 'v' } }, async (c, target, values, ctx) => {
  await c.remove(target, { force: values.force === true, volumes: values.volumes === true });
  ctx.stdout.write(`${target}\n`);
});

export const waitCommand = eachContainer('wait', 'Block until one or more containers stop, then print their exit codes', {}, async (c, target, _v, ctx) => {
  ctx.stdout.write(`${await c.wait(target)}\n`);
});

export const containerPruneCommand: Command = {
  name: 'prune',
  usage: 'tsdock container prune [OPTIONS]',
  summary: 'Remove all stopped containers',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('container prune', argv, { force: { type: 'boolean', short: 'f' } }, { max: 0 });
    if (!values.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '))) return 0;
    const removed = await (await (await ctx.engine()).containers()).prune();
    if (removed.length) ctx.stdout.write(`Deleted Containers:\n${removed.map((id) => `${id}\n`).join('')}\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(0)}\n`);
    return 0;
  },
};

/** Run by conmon when a detached container exits: records the exit and honours --rm. */
export const containerCleanupCommand: Command = {
  name: 'cleanup',
  usage: 'tsdock container cleanup ID',
  summary: '(internal) record the exit of a container',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('container cleanup', argv, {}, { min: 1, max: 1 });
    await (await (await ctx.engine()).containers()).cleanupAfterExit(positionals[0]!);
    return 0;
  },
};
