import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command, CliContext } from '../command.js';
import { many, parseCommandArgs, splitAtPositional, UsageError, type OptionSpec, type ParsedArgs } from '../args.js';
import { PullProgressPrinter } from '../format/pull-progress.js';
import type { ContainerSpecRequest, VolumeMount, BindMount, TmpfsMount } from '../../core/runtime/container-record.js';
import { networkRequest } from '../../core/network/network-options.js';
import { parseEnvFile } from '../../core/runtime/environment.js';
import { parseMemory, validateMemory, parseCpus, validateCpus } from '../../core/runtime/resources.js';
import { exitCodeForStartError } from '../../core/runtime/container-manager.js';
import { familiarString, parseReference } from '../../core/images/reference.js';
import { availableParallelism } from 'node:os';

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

async function buildRequest(command: string, values: ParsedArgs['values'], image: string, cmd: string[], warn: (message: string) => void = () => {}): Promise<ContainerSpecRequest> {
  const env: string[] = [];
  for (const file of many(values['env-file'])) {
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new UsageError(`open ${file}: ${e.message}`, command);
    });
    env.push(...parseEnvFile(text, process.env));
  }
  for (const e of many(values.env)) {
    // `-e KEY` takes the value from tsdock's own environment, or is dropped, as Docker does.
    if (e.includes('=')) env.push(e);
    else if (process.env[e] !== undefined) env.push(`${e}=${process.env[e]}`);
  }
  const binds: BindMount[] = [];
  const volumes: VolumeMount[] = [];
  for (const spec of many(values.volume)) parseVolume(spec, command, binds, volumes);
  const tmpfs: TmpfsMount[] = many(values.tmpfs).map((t) => {
    const [destination, opts] = [t.split(':')[0]!, t.split(':').slice(1).join(':')];
    if (!destination.startsWith('/')) throw new UsageError(`invalid tmpfs mount "${t}": the path must be absolute`, command);
    return { destination, options: opts ? opts.split(',') : [] };
  });
  const labels: Record<string, string> = {};
  for (const l of many(values.label)) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const { warnings, ...networking } = networkRequest({
    network: (values.network ?? values.net) as string | undefined,
    publish: many(values.publish),
    publishAll: values['publish-all'] === true,
    expose: many(values.expose),
    dns: many(values.dns),
    addHost: many(values['add-host']),
  });
  for (const w of warnings) warn(w);
  let memory: number | undefined;
  if (typeof values.memory === 'string') {
    memory = parseMemory(values.memory);
    validateMemory(memory);
  }
  let cpus: number | undefined;
  if (typeof values.cpus === 'string') {
    cpus = parseCpus(values.cpus);
    validateCpus(cpus, availableParallelism());
  }
  const pidsLimit = values['pids-limit'] !== undefined ? Number(values['pids-limit']) : undefined;
  if (pidsLimit !== undefined && !Number.isInteger(pidsLimit)) throw new UsageError(`invalid argument "${values['pids-limit']}" for "--pids-limit" flag: not an integer`, command);
  const stopTimeout = values['stop-timeout'] !== undefined ? Number(values['stop-timeout']) : undefined;
  return {
    image,
    cmd: cmd.length ? cmd : undefined,
    entrypoint: typeof values.entrypoint === 'string' ? (values.entrypoint === '' ? [] : [values.entrypoint]) : undefined,
    env,
    workdir: values.workdir as string | undefined,
    user: values.user as string | undefined,
    hostname: values.hostname as string | undefined,
    tty: values.tty === true,
    interactive: values.interactive === true,
    labels,
    binds,
    volumes,
    tmpfs,
    readOnlyRootfs: values['read-only'] === true,
    init: values.init === true,
    memory,
    cpus,
    pidsLimit,
    capAdd: many(values['cap-add']),
    capDrop: many(values['cap-drop']),
    privileged: values.privileged === true,
    securityOpt: many(values['security-opt']),
    ...networking,
    autoRemove: values.rm === true,
    stopSignal: values['stop-signal'] as string | undefined,
    stopTimeout,
  };
}

/** `-v /host:/ctr[:ro]` binds, `-v name:/ctr[:ro]` named volumes, `-v /ctr` anonymous ones. */
function parseVolume(spec: string, command: string, binds: BindMount[], volumes: VolumeMount[]): void {
  const parts = spec.split(':');
  // The last part is a mode (`ro`, `rw`) when there are three parts, or two and the second
  // is not a path (`-v /data:ro`).
  let mode = '';
  if (parts.length === 3 || (parts.length === 2 && !parts[1]!.startsWith('/'))) mode = parts.pop()!;
  if (parts.length > 2) throw new UsageError(`invalid volume specification: "${spec}"`, command);
  const readOnly = mode.split(',').includes('ro');
  if (parts.length === 1) {
    if (!parts[0]!.startsWith('/')) throw new UsageError(`invalid volume specification: "${spec}": the container path must be absolute`, command);
    volumes.push({ name: randomVolumeName(), destination: parts[0]!, readOnly, anonymous: true });
    return;
  }
  const [source, destination] = parts as [string, string];
  if (!destination.startsWith('/')) throw new UsageError(`invalid volume specification: "${spec}": the container path must be absolute`, command);
  if (source.startsWith('/') || source.startsWith('.')) binds.push({ source: resolve(source), destination, readOnly });
  else volumes.push({ name: source, destination, readOnly, anonymous: false });
}

function randomVolumeName(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
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
  async run(ctx, argv) {
    let autoRemove: (() => Promise<unknown>) | undefined;
    try {
      const { rec, values, containers } = await createFromArgs(ctx, 'run', argv);
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
        inheritTty: rec.request.tty,
      });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const e = err as Error & { exitCode?: number };
      ctx.stderr.write(`Error: ${e.message}\n`);
      // Docker removes a --rm container whose start failed (a taken port, a missing network, ...).
      await autoRemove?.();
      return err instanceof RunError ? err.exitCode : /^(cannot start|runc|OCI)/.test(e.message) || e.constructor.name === 'RuntimeError' ? exitCodeForStartError(e.message) : 125;
    }
  },
};
