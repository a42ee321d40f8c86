import { posix } from 'node:path';
import type { ContainerDefaults } from '../images/image-config.js';
import type { Instruction } from './dockerfile.js';
import { expandWord } from './variable-expansion.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/** Instructions that only change the image's config (no files): `commit -c` accepts these. */
export type ConfigInstruction = Exclude<Instruction, { kind: 'FROM' | 'COPY' | 'ADD' | 'ARG' | 'RUN' | 'MAINTAINER' }>;

const CONFIG_KINDS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'SHELL', 'HEALTHCHECK', 'ONBUILD']);
/** Docker's `commit --change` list (dockerfile.BuildFromConfig's allowed instructions). */
const COMMIT_KINDS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'ONBUILD']);

export function isConfigInstruction(i: Instruction): i is ConfigInstruction {
  return CONFIG_KINDS.has(i.kind);
}

export function isCommitChange(i: Instruction): i is ConfigInstruction {
  return COMMIT_KINDS.has(i.kind);
}

export class ConfigInstructionError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Per stage: whether a CMD was set in it (an ENTRYPOINT then keeps it, as Docker). */
export interface ConfigState {
  cmdSet: boolean;
}

/** `KEY=value` entries as a record, for variable expansion. */
export function envMap(env: readonly string[] | undefined): Record<string, string> {
  const m: Record<string, string> = {};
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) m[e.slice(0, i)] = e.slice(i + 1);
  }
  return m;
}

/** Sets one variable in an Env list: replaced in place when present, appended otherwise. */
export function setEnv(env: readonly string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')) === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** `80`, `80/udp`, `8000-8002/tcp` -> Docker's `port/proto` keys (ranges expanded). */
export function exposedPortKeys(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new ConfigInstructionError(`invalid port "${spec}" in EXPOSE: expected PORT[-END][/tcp|udp|sctp]`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  if (start < 1 || end > 65535 || end < start) throw new ConfigInstructionError(`invalid port range "${spec}" in EXPOSE`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** The argv a shell-form CMD/ENTRYPOINT/RUN becomes under the current SHELL. */
export function shellArgv(config: ContainerDefaults, command: string): string[] {
  return [...(config.Shell?.length ? config.Shell : DEFAULT_SHELL), command];
}

/**
 * Applies a config-only instruction to a container config (returns a new one). Words are
 * expanded with `vars` (the stage's ENV, then ARGs) as Docker does for these instructions;
 * CMD/ENTRYPOINT are left to the shell.
 */
export function applyConfigInstruction(config: ContainerDefaults, instr: ConfigInstruction, vars: Record<string, string>, state: ConfigState, escapeChar?: string): ContainerDefaults {
  const out: ContainerDefaults = { ...config };
  const x = (w: string) => expandWord(w, vars, escapeChar);
  switch (instr.kind) {
    case 'CMD':
      out.Cmd = instr.run.form === 'exec' ? [...instr.run.argv] : shellArgv(config, instr.run.command);
      state.cmdSet = true;
      break;
    case 'ENTRYPOINT':
      out.Entrypoint = instr.run.form === 'exec' ? [...instr.run.argv] : shellArgv(config, instr.run.command);
      if (!state.cmdSet) out.Cmd = null;
      break;
    case 'ENV': {
      // Every pair is expanded against the variables from before the instruction, as Docker does.
      const pairs = pairsOf(instr).map(([k, v]) => [x(k), x(v)] as const);
      let env = [...(config.Env ?? [])];
      for (const [k, v] of pairs) {
        env = setEnv(env, k, v);
        vars[k] = v;
      }
      out.Env = env;
      break;
    }
    case 'LABEL': {
      const labels = { ...(config.Labels ?? {}) };
      for (const [key, value] of pairsOf(instr)) labels[x(key)] = x(value);
      out.Labels = labels;
      break;
    }
    case 'EXPOSE': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const p of instr.ports) for (const key of exposedPortKeys(x(p))) ports[key] = {};
      out.ExposedPorts = ports;
      break;
    }
    case 'USER':
      out.User = x(instr.user);
      break;
    case 'VOLUME': {
      const volumes = { ...(config.Volumes ?? {}) };
      for (const p of instr.paths) {
        const path = x(p);
        if (path.trim() === '') throw new ConfigInstructionError('VOLUME specified can not be an empty string');
        volumes[path] = {};
      }
      out.Volumes = volumes;
      break;
    }
    case 'WORKDIR':
      out.WorkingDir = resolveWorkdir(config.WorkingDir, x(instr.path));
      break;
    case 'STOPSIGNAL':
      out.StopSignal = x(instr.signal);
      break;
    case 'SHELL':
      out.Shell = [...instr.shell];
      break;
    case 'HEALTHCHECK': {
      const h = instr.healthcheck;
      out.Healthcheck = {
        Test: h.test,
        ...(h.interval !== undefined && { Interval: h.interval }),
        ...(h.timeout !== undefined && { Timeout: h.timeout }),
        ...(h.startPeriod !== undefined && { StartPeriod: h.startPeriod }),
        ...(h.startInterval !== undefined && { StartInterval: h.startInterval }),
        ...(h.retries !== undefined && { Retries: h.retries }),
      };
      break;
    }
    case 'ONBUILD':
      out.OnBuild = [...(config.OnBuild ?? []), instr.args];
      break;
  }
  return out;
}

/** WORKDIR: a relative path continues the previous one. */
export function resolveWorkdir(current: string | undefined, path: string): string {
  return posix.resolve(current || '/', path);
}

function pairsOf(instr: { pairs: [string, string][] }): [string, string][] {
  return instr.pairs;
}
