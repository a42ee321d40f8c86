import { readFile } from 'node:fs/promises';
import type { Command, CliContext } from '../command.js';
import { many, parseCommandArgs, splitAtPositional, UsageError, type OptionSpec, type ParsedArgs } from '../args.js';
import { PullProgressPrinter } from '../format/pull-progress.js';
import { runFailureExitCode } from '../exit-codes.js';
import { type ContainerSpecRequest, parseEnvFile, runRequest, RunOptionError, type RunOptions, familiarString, parseReference } from '../../core/index.js';

export const CREATE_OPTIONS: OptionSpec = {
  detach: { type: 'boolean', short: 'd' },
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  rm: { type: 'boolean' },
  name: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  hostname: { type: 'string', short: 'h' },
  entrypoint: { type: 'string' },
  volume: { type: 'string', short: 'v', multiple: true },
  tmpfs: { type: 'string', multiple: true },
  'read-only': { type: 'boolean' },
  init: { type: 'boolean' },
  memory: { type: 'string', short: 'm' },
  cpus: { type: 'string' },
  'pids-limit': { type: 'string' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
  privileged: { type: 'boolean' },
  label: { type: 'string', short: 'l', multiple: true },
  network: { type: 'string' },
  net: { type: 'string' },
  'security-opt': { type: 'string', multiple: true },
  'stop-signal': { type: 'string' },
  'stop-timeout': { type: 'string' },
  platform: { type: 'string' },
  pull: { type: 'string' },
  publish: { type: 'string', short: 'p', multiple: true },
  'publish-all': { type: 'boolean', short: 'P' },
  expose: { type: 'string', multiple: true },
  dns: { type: 'string', multiple: true },
  'add-host': { type: 'string', multiple: true },
  'network-alias': { type: 'string', multiple: true },
  ip: { type: 'string' },
};

/** Docker exits 125 when the container could not be created or started. */
class RunError extends Error {
  constructor(
    message: string,
    readonly exitCode = 125,
  ) {
    super(message);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The flags as core RunOptions (env files read here); malformed options are usage errors. */
async function buildRequest(command: string, values: ParsedArgs['values'], image: string, cmd: string[], warn: (message: string) => void = () => {}): Promise<ContainerSpecRequest> {
  const envFileEntries: string[] = [];
  for (const file of many(values['env-file'])) {
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new UsageError(`open ${file}: ${e.message}`, command);
    });
    envFileEntries.push(...parseEnvFile(text, process.env));
  }
  const options: RunOptions = {
    envFileEntries,
    env: many(values.env),
    workdir: str(values.workdir),
    user: str(values.user),
    hostname: str(values.hostname),
    entrypoint: str(values.entrypoint),
    volume: many(values.volume),
    tmpfs: many(values.tmpfs),
    readOnly: values['read-only'] === true,
    init: values.init === true,
    memory: str(values.memory),
    cpus: str(values.cpus),
    pidsLimit: str(values['pids-limit']),
    capAdd: many(values['cap-add']),
    capDrop: many(values['cap-drop']),
    privileged: values.privileged === true,
    label: many(values.label),
    network: str(values.network ?? values.net),
    publish: many(values.publish),
    publishAll: values['publish-all'] === true,
    expose: many(values.expose),
    dns: many(values.dns),
    addHost: many(values['add-host']),
    networkAlias: many(values['network-alias']),
    ip: str(values.ip),
    securityOpt: many(values['security-opt']),
    tty: values.tty === true,
    interactive: values.interactive === true,
    rm: values.rm === true,
    stopSignal: str(values['stop-signal']),
    stopTimeout: str(values['stop-timeout']),
  };
  try {
    return runRequest(image, cmd, options, process.env, warn);
  } catch (err) {
    if (err instanceof RunOptionError) throw new UsageError(err.message, command);
    throw err;
  }
}

async function createFromArgs(ctx: CliContext, command: string, argv: string[]) {
  const { head, rest } = splitAtPositional(argv, CREATE_OPTIONS, 1);
  const { values, positionals } = parseCommandArgs(command, head, CREATE_OPTIONS, { min: 1, max: 1 });
  const image = positionals[0]!;
  const ref = parseReference(image);
  const req = await buildRequest(command, values, image, rest, (m) => ctx.stderr.write(`${m}\n`));
  if (req.interactive && req.tty && !values.detach && !(ctx.stdin as NodeJS.ReadStream).isTTY) throw new RunError('the input device is not a TTY', 1);
  const engine = await ctx.engine();
  const printer = new PullProgressPrinter(ctx.stderr, (ctx.stderr as NodeJS.WriteStream).isTTY === true);
  const imageRecord = await engine.imageForRun(image, {
    pull: values.pull as 'missing' | 'always' | 'never' | undefined,
    platform: values.platform as string | undefined,
    onPullStart: () => ctx.stderr.write(`Unable to find image '${familiarString(ref)}' locally\n${ref.tag ?? ref.digest}: Pulling from ${ref.path}\n`),
    onEvent: (e) => {
      printer.handle(e);
      if (e.type === 'done') ctx.stderr.write(`Digest: ${e.manifestDigest}\nStatus: Downloaded newer image for ${familiarString(ref)}\n`);
    },
  });
  const containers = await engine.containers();
  const rec = await containers.create(imageRecord, req, values.name as string | undefined);
  return { rec, values, containers };
}

export const createCommand: Command = {
  name: 'create',
  usage: 'tsdock create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create a new container',
  async run(ctx, argv) {
    try {
      const { rec } = await createFromArgs(ctx, 'create', argv);
      ctx.stdout.write(`${rec.id}\n`);
      return 0;
    } catch (err) {
      // Docker exits 125 when the container cannot be created (name conflict, bad image, ...).
      if (err instanceof UsageError) throw err;
      ctx.stderr.write(`Error: ${(err as Error).message}\n`);
      return err instanceof RunError ? err.exitCode : 125;
    }
  },
};

export const runCommand: Command = {
  name: 'run',
  usage: 'tsdock run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create and run a new container from an image',
  // Held against a closed stdout: the container is ended and, with --rm, removed before tsdock exits.
  run: (ctx, argv) => ctx.closedOutput.hold((outputClosed) => runContainer(ctx, argv, outputClosed)),
};

async function runContainer(ctx: CliContext, argv: string[], outputClosed: AbortSignal): Promise<number> {
  let autoRemove: (() => Promise<unknown>) | undefined;
  try {
    const { rec, values, containers } = await createFromArgs(ctx, 'run', argv);
    // Best effort after a failed run: the run's own error is the one to report.
    if (rec.request.autoRemove) autoRemove = () => containers.remove(rec.id, { force: true, volumes: true }).catch(() => {});
    if (values.detach) {
      await containers.start(rec.id);
      ctx.stdout.write(`${rec.id}\n`);
      return 0;
    }
    return await containers.runAttached(rec.id, {
      stdin: rec.request.interactive ? (ctx.stdin as NodeJS.ReadStream) : undefined,
      stdout: ctx.stdout as NodeJS.WriteStream,
      stderr: ctx.stderr as NodeJS.WriteStream,
      outputClosed,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as Error & { exitCode?: number };
    ctx.stderr.write(`Error: ${e.message}\n`);
    // Docker removes a --rm container whose start failed (a taken port, a missing network, ...).
    await autoRemove?.();
    return err instanceof RunError ? err.exitCode : runFailureExitCode(err);
  }
}
