import { Engine } from '../core/index.js';
import type { CliContext, Command } from './command.js';
import { UsageError } from './args.js';
import { ClosedOutput } from './closed-output.js';
import { EXIT_FAILED, EXIT_TSDOCK_ERROR } from './exit-codes.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { saveCommand } from './commands/save.js';
import { loadCommand } from './commands/load.js';
import { imagesCommand } from './commands/images.js';
import { rmiCommand } from './commands/rmi.js';
import { tagCommand } from './commands/tag.js';
import { imageInspectCommand } from './commands/image-inspect.js';
import { historyCommand } from './commands/history.js';
import { imagePruneCommand } from './commands/image-prune.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { tagsCommand, catalogCommand } from './commands/tags.js';
import { runCommand, createCommand } from './commands/run.js';
import { startCommand, stopCommand, restartCommand, killCommand, pauseCommand, unpauseCommand, rmCommand, waitCommand, containerPruneCommand, containerCleanupCommand } from './commands/container-lifecycle.js';
import { psCommand } from './commands/ps.js';
import { logsCommand } from './commands/logs.js';
import { execCommand } from './commands/exec.js';
import { inspectCommandFor } from './commands/inspect.js';
import { topCommand } from './commands/top.js';
import { statsCommand } from './commands/stats.js';
import { cpCommand } from './commands/cp.js';
import { diffCommand } from './commands/diff.js';
import { renameCommand } from './commands/rename.js';
import { volumeCreateCommand, volumeLsCommand, volumeInspectCommand, volumeRmCommand, volumePruneCommand } from './commands/volume.js';
import { attachCommand } from './commands/attach.js';
import { networkSub } from './commands/network.js';
import { portCommand } from './commands/port.js';
import { commitCommand } from './commands/commit.js';
import { buildCommand } from './commands/build.js';

const topLevel: Command[] = [
  runCommand, createCommand, startCommand, stopCommand, restartCommand, killCommand, pauseCommand, unpauseCommand,
  rmCommand, waitCommand, psCommand, logsCommand, execCommand, attachCommand, inspectCommandFor('any'),
  topCommand, statsCommand, cpCommand, diffCommand, renameCommand, portCommand, commitCommand,
  buildCommand, pullCommand, pushCommand, saveCommand, loadCommand, imagesCommand, rmiCommand, tagCommand, historyCommand, loginCommand, logoutCommand, tagsCommand, catalogCommand,
];

/** `tsdock container <sub>`. */
const containerSub: Record<string, Command> = {
  ls: psCommand, list: psCommand, ps: psCommand, run: runCommand, create: createCommand, start: startCommand,
  stop: stopCommand, restart: restartCommand, kill: killCommand, pause: pauseCommand, unpause: unpauseCommand,
  rm: rmCommand, remove: rmCommand, wait: waitCommand, logs: logsCommand, exec: execCommand, attach: attachCommand,
  inspect: inspectCommandFor('container'), prune: containerPruneCommand, cleanup: containerCleanupCommand,
  top: topCommand, stats: statsCommand, cp: cpCommand, diff: diffCommand, rename: renameCommand, port: portCommand,
  commit: commitCommand,
};

/** `tsdock volume <sub>`, with Docker's aliases. */
const volumeSub: Record<string, Command> = {
  create: volumeCreateCommand,
  ls: volumeLsCommand,
  list: volumeLsCommand,
  inspect: volumeInspectCommand,
  rm: volumeRmCommand,
  remove: volumeRmCommand,
  prune: volumePruneCommand,
};

/** `tsdock image <sub>`, with Docker's aliases. */
const imageSub: Record<string, Command> = {
  ls: imagesCommand,
  list: imagesCommand,
  pull: pullCommand,
  push: pushCommand,
  save: saveCommand,
  load: loadCommand,
  rm: rmiCommand,
  remove: rmiCommand,
  tag: tagCommand,
  inspect: imageInspectCommand,
  history: historyCommand,
  prune: imagePruneCommand,
  build: buildCommand,
};

const GLOBAL_USAGE = `Usage:  tsdock [OPTIONS] COMMAND

A daemonless, Docker-like container manager.

Global options:
      --root string     Root directory of the store (default "/var/lib/tsdock", env TSDOCK_ROOT)
      --config string   Config file (default "/etc/tsdock/config.json", env TSDOCK_CONFIG)
  -v, --version         Print version information and quit

Commands:
${topLevel.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}
  container  Manage containers (ls, run, start, stop, rm, logs, exec, inspect, commit, prune, ...)
  image      Manage images (ls, build, pull, push, save, load, rm, tag, inspect, history, prune)
  volume     Manage volumes (create, ls, inspect, rm, prune)
  network    Manage networks (create, ls, inspect, rm, prune, connect, disconnect)

Run 'tsdock COMMAND --help' for more information on a command.
`;

interface GlobalOptions {
  root?: string;
  configPath?: string;
  rest: string[];
}

/** Global flags come before the command name, as with docker. */
function splitGlobal(argv: string[]): GlobalOptions {
  const g: GlobalOptions = { rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--root' || flag === '--config') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${flag}`, '');
      if (flag === '--root') g.root = v;
      else g.configPath = v;
    } else break;
  }
  g.rest = argv.slice(i);
  return g;
}

function findCommand(args: string[]): { cmd: Command; argv: string[] } | undefined {
  const [name, ...rest] = args;
  const group = name === 'image' ? imageSub : name === 'container' ? containerSub : name === 'volume' ? volumeSub : name === 'network' ? networkSub : undefined;
  if (group) {
    const [sub, ...subArgs] = rest;
    const cmd = sub ? group[sub] : undefined;
    return cmd ? { cmd, argv: subArgs } : undefined;
  }
  const cmd = topLevel.find((c) => c.name === name || c.aliases?.includes(name ?? ''));
  return cmd ? { cmd, argv: rest } : undefined;
}

export async function main(argv: string[], io: Pick<CliContext, 'stdout' | 'stderr' | 'stdin'> = process): Promise<number> {
  const out = io.stdout;
  const err = io.stderr;
  const closedOutput = new ClosedOutput();
  closedOutput.watch(out);
  closedOutput.watch(err);
  try {
    const g = splitGlobal(argv);
    if (g.rest.length === 0 && (io.stdout as NodeJS.WriteStream).isTTY === true && (io.stdin as NodeJS.ReadStream).isTTY === true) {
      // `tsdock` alone on a terminal opens the TUI. Ink and React load only here, never for a command.
      const engine = await Engine.open({ root: g.root, configPath: g.configPath });
      const { runTui } = await import('../ui/run-tui.js');
      return await runTui(engine);
    }
    if (g.rest.length === 0 || g.rest[0] === '--help' || g.rest[0] === 'help') {
      out.write(GLOBAL_USAGE);
      return 0;
    }
    if (g.rest[0] === '--version' || g.rest[0] === '-v' || g.rest[0] === 'version') {
      out.write(`tsdock version ${VERSION}\n`);
      return 0;
    }
    const found = findCommand(g.rest);
    if (!found) {
      err.write(`tsdock: '${g.rest.join(' ')}' is not a tsdock command.\nSee 'tsdock --help'\n`);
      return EXIT_TSDOCK_ERROR;
    }
    if (found.argv.includes('--help')) {
      out.write(`\nUsage:  ${found.cmd.usage}\n\n${found.cmd.summary}\n`);
      return 0;
    }
    let engine: Promise<Engine> | undefined;
    const ctx: CliContext = {
      ...io,
      isTTY: (io.stdout as NodeJS.WriteStream).isTTY === true,
      closedOutput,
      engine: () => (engine ??= Engine.open({ root: g.root, configPath: g.configPath })),
    };
    return await found.cmd.run(ctx, found.argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`${e.message}\nSee 'tsdock ${e.command ? `${e.command} ` : ''}--help'.\n`);
      return EXIT_TSDOCK_ERROR;
    }
    err.write(`Error: ${(e as Error).message}\n`);
    if (process.env.TSDOCK_DEBUG) err.write(`${(e as Error).stack}\n`);
    return EXIT_FAILED;
  }
}

declare const __TSDOCK_VERSION__: string | undefined;
const VERSION = typeof __TSDOCK_VERSION__ === 'string' ? __TSDOCK_VERSION__ : 'dev';
