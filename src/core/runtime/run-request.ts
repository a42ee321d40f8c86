// `run`/`create` options turned into a ContainerSpecRequest: the one translation the CLI's flags
// and the TUI's run form share. Pure but for the host environment (`-e KEY` takes its value) and
// the host's CPU count (--cpus is checked against it); env files are read by the caller.
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { BindMount, ContainerSpecRequest, TmpfsMount, VolumeMount } from './container-record.js';
import { parseCpus, parseMemory, validateCpus, validateMemory } from './resources.js';
import { networkRequest } from '../network/network-options.js';
import { parseVolumeSpec, VolumeSpecError, type VolumeSpec } from './volume-spec.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/** A malformed option (a volume spec, a tmpfs path, a number): Docker's usage errors. */
export class RunOptionError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** The options of `run`/`create` as plain values (flags that repeat are lists). */
export interface RunOptions {
  /** Lines of --env-file files, already parsed (KEY=VALUE). */
  envFileEntries?: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  entrypoint?: string;
  volume?: string[];
  tmpfs?: string[];
  readOnly?: boolean;
  init?: boolean;
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  label?: string[];
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  addHost?: string[];
  networkAlias?: string[];
  ip?: string;
  securityOpt?: string[];
  tty?: boolean;
  interactive?: boolean;
  rm?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
}

/** Docker's default network for `run` without --network. */
export const DEFAULT_RUN_NETWORK = 'bridge';

export function runRequest(image: string, cmd: string[], o: RunOptions, hostEnv: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = () => {}): ContainerSpecRequest {
  const env: string[] = [...(o.envFileEntries ?? [])];
  for (const e of o.env ?? []) {
    // `-e KEY` takes the value from tsdock's own environment, or is dropped, as Docker does.
    if (e.includes('=')) env.push(e);
    else if (hostEnv[e] !== undefined) env.push(`${e}=${hostEnv[e]}`);
  }
  const binds: BindMount[] = [];
  const volumes: VolumeMount[] = [];
  for (const spec of o.volume ?? []) parseVolume(spec, binds, volumes);
  const tmpfs: TmpfsMount[] = (o.tmpfs ?? []).map((t) => {
    const [destination, opts] = [t.split(':')[0]!, t.split(':').slice(1).join(':')];
    if (!destination.startsWith('/')) throw new RunOptionError(`invalid tmpfs mount "${t}": the path must be absolute`);
    return { destination, options: opts ? opts.split(',') : [] };
  });
  const labels: Record<string, string> = {};
  for (const l of o.label ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const { warnings, ...networking } = networkRequest({
    network: o.network,
    publish: o.publish ?? [],
    publishAll: o.publishAll === true,
    expose: o.expose ?? [],
    dns: o.dns ?? [],
    addHost: o.addHost ?? [],
    alias: o.networkAlias ?? [],
    ip: o.ip,
  });
  for (const w of warnings) warn(w);
  if (networking.network === 'container' && o.hostname !== undefined) throw new RunOptionError('conflicting options: hostname and the network mode');
  let memory: number | undefined;
  if (o.memory !== undefined) {
    memory = parseMemory(o.memory);
    validateMemory(memory);
  }
  let cpus: number | undefined;
  if (o.cpus !== undefined) {
    cpus = parseCpus(o.cpus);
    validateCpus(cpus, availableParallelism());
  }
  const pidsLimit = o.pidsLimit !== undefined ? Number(o.pidsLimit) : undefined;
  if (pidsLimit !== undefined && !Number.isInteger(pidsLimit)) throw new RunOptionError(`invalid argument "${o.pidsLimit}" for "--pids-limit" flag: not an integer`);
  const stopTimeout = o.stopTimeout !== undefined ? Number(o.stopTimeout) : undefined;
  return {
    image,
    cmd: cmd.length ? cmd : undefined,
    entrypoint: o.entrypoint !== undefined ? (o.entrypoint === '' ? [] : [o.entrypoint]) : undefined,
    env,
    workdir: o.workdir,
    user: o.user,
    hostname: o.hostname,
    tty: o.tty === true,
    interactive: o.interactive === true,
    labels,
    binds,
    volumes,
    tmpfs,
    readOnlyRootfs: o.readOnly === true,
    init: o.init === true,
    memory,
    cpus,
    pidsLimit,
    capAdd: o.capAdd ?? [],
    capDrop: o.capDrop ?? [],
    privileged: o.privileged === true,
    securityOpt: o.securityOpt ?? [],
    ...networking,
    autoRemove: o.rm === true,
    stopSignal: o.stopSignal,
    stopTimeout,
  };
}

/** `-v /host:/ctr[:MODE]` binds, `-v name:/ctr[:MODE]` named volumes, `-v /ctr` anonymous ones. */
export function parseVolume(spec: string, binds: BindMount[], volumes: VolumeMount[]): void {
  let v: VolumeSpec;
  try {
    v = parseVolumeSpec(spec);
  } catch (err) {
    if (err instanceof VolumeSpecError) throw new RunOptionError(err.message);
    throw err;
  }
  const { destination, readOnly, propagation } = v;
  if (v.kind === 'bind') binds.push({ source: resolve(v.source!), destination, readOnly, ...(propagation && { propagation }) });
  else volumes.push({ name: v.source ?? randomVolumeName(), destination, readOnly, anonymous: v.source === undefined, ...(propagation && { propagation }), ...(v.noCopy && { noCopy: true }) });
}

function randomVolumeName(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A command line as a shell would split it (for the TUI's command field): words separated by
 * blanks, '…' literal, "…" with \\ escapes, \\ outside quotes. No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new RunOptionError(`unterminated ${quote === '"' ? 'double' : 'single'} quote in "${line}"`);
  if (inWord) words.push(word);
  return words;
}
