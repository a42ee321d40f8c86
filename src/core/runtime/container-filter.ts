import { ZERO_TIME, type ContainerRecord, type ContainerStatus } from './container-record.js';
import { CONTAINER_STATUSES } from './container-state-machine.js';
import { TsdockError } from '../errors.js';

/**
 * `ps --filter` as Docker's daemon applies it (moby daemon/list.go): values of one key are
 * alternatives (OR), different keys must all hold (AND) — except `label`, where, as in Docker's
 * MatchKVList, every label filter must hold.
 */
export interface PsFilter {
  status: ContainerStatus[];
  /** Regular expressions (Go-style, unanchored) matched against the name. */
  name: string[];
  /** ID prefixes. */
  id: string[];
  /** Image references or ID prefixes, resolved by the caller's ImageMatcher. */
  ancestor: string[];
  label: LabelFilter[];
  exited: number[];
  /** Network names the container is joined to (`none` and `host` for those modes). */
  network: string[];
  /** Container ports (or ranges) published (`publish`) or exposed (`expose`). */
  publish: PortFilter[];
  expose: PortFilter[];
  /** Volume names or mount destinations. */
  volume: string[];
  /** A status filter makes ps consider stopped containers without -a, as Docker does. */
  all: boolean;
}

export interface LabelFilter {
  key: string;
  /** undefined: the label only has to exist. */
  value?: string;
}

/** `80`, `8000-8080`, `53/udp`: container ports, tcp unless said otherwise. */
export interface PortFilter {
  from: number;
  to: number;
  protocol: string;
}

/** Whether the container's image is `ancestor` (name[:tag], digest or ID prefix); needs the image store. */
export type ImageMatcher = (ancestor: string, rec: ContainerRecord) => boolean;

export const PS_FILTER_KEYS = ['ancestor', 'exited', 'expose', 'id', 'label', 'name', 'network', 'publish', 'status', 'volume'] as const;
type PsFilterKey = (typeof PS_FILTER_KEYS)[number];

export class InvalidFilterError extends TsdockError {
  override readonly name = 'InvalidFilterError';
  constructor(
    readonly filter: string,
    message: string,
  ) {
    super('invalid-argument', message);
  }
}

export function emptyPsFilter(): PsFilter {
  return { status: [], name: [], id: [], ancestor: [], label: [], exited: [], network: [], publish: [], expose: [], volume: [], all: false };
}

/** Parses the values of every `--filter`/`-f` flag, e.g. `["status=exited", "label=env=prod"]`. */
export function parsePsFilters(args: readonly string[]): PsFilter {
  const f = emptyPsFilter();
  for (const arg of args) {
    if (arg === '') continue; // docker's FilterOpt ignores an empty flag value
    const eq = arg.indexOf('=');
    if (eq < 0) {
      throw new InvalidFilterError(arg, `bad format of filter '${arg}' (expected name=value, e.g. status=exited)`);
    }
    // Docker lowercases and trims the key and trims the value.
    const key = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    if (!isKey(key)) {
      throw new InvalidFilterError(key, `invalid filter '${key}': supported filters are ${PS_FILTER_KEYS.join(', ')}`);
    }
    addValue(f, key, value);
  }
  return f;
}

function isKey(key: string): key is PsFilterKey {
  return (PS_FILTER_KEYS as readonly string[]).includes(key);
}

function addValue(f: PsFilter, key: PsFilterKey, value: string): void {
  switch (key) {
    case 'status': {
      if (!(CONTAINER_STATUSES as readonly string[]).includes(value)) {
        throw new InvalidFilterError(
          key,
          `invalid filter 'status=${value}': valid statuses are ${CONTAINER_STATUSES.join(', ')}`,
        );
      }
      pushUnique(f.status, value as ContainerStatus);
      f.all = true;
      return;
    }
    case 'exited': {
      if (!/^[+-]?\d+$/.test(value)) {
        throw new InvalidFilterError(key, `invalid filter 'exited=${value}': the exit code must be an integer, e.g. exited=137`);
      }
      pushUnique(f.exited, Number(value));
      return;
    }
    case 'label': {
      const eq = value.indexOf('=');
      const label: LabelFilter = eq < 0 ? { key: value } : { key: value.slice(0, eq), value: value.slice(eq + 1) };
      if (!f.label.some((l) => l.key === label.key && l.value === label.value)) f.label.push(label);
      return;
    }
    case 'publish':
    case 'expose':
      f[key].push(parsePortFilter(key, value));
      return;
    case 'name':
    case 'id':
    case 'ancestor':
    case 'network':
    case 'volume':
      pushUnique(f[key], value);
      return;
  }
}

function parsePortFilter(key: string, value: string): PortFilter {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(value);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || from < 1 || to > 65535 || to < from) {
    throw new InvalidFilterError(key, `invalid filter '${key}=${value}': expected a container port or range with an optional protocol, e.g. ${key}=80, ${key}=8000-8080/tcp`);
  }
  return { from, to, protocol: m[3] ?? 'tcp' };
}

function portMatches(f: PortFilter, port: number, protocol: string): boolean {
  return protocol === f.protocol && port >= f.from && port <= f.to;
}

/** The networks `ps --filter network=` and inspect name for a container. */
export function containerNetworkNames(rec: ContainerRecord): string[] {
  const mode = rec.request.network;
  if (mode === 'bridge') return rec.request.networks ?? ['bridge'];
  if (mode === 'container') return []; // Docker lists no network of its own for these
  return [mode === 'host' ? 'host' : 'none'];
}

function pushUnique<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}

/** Whether `rec` passes every filter in `f`. Does not apply ps' "running only unless -a" rule. */
export function matchesFilter(rec: ContainerRecord, f: PsFilter, imageMatches: ImageMatcher): boolean {
  if (f.name.length > 0 && !f.name.some((p) => nameMatches(p, rec.name))) return false;
  if (f.id.length > 0 && !f.id.some((p) => rec.id.startsWith(p))) return false;
  if (!f.label.every((l) => labelMatches(l, rec.request.labels))) return false;
  if (f.exited.length > 0 && !(hasExited(rec) && f.exited.includes(rec.state.exitCode))) return false;
  if (f.status.length > 0 && !f.status.includes(rec.state.status)) return false;
  if (f.ancestor.length > 0 && !f.ancestor.some((a) => imageMatches(a, rec))) return false;
  if (f.network.length > 0 && !containerNetworkNames(rec).some((n) => f.network.includes(n))) return false;
  const published = rec.request.ports ?? [];
  if (f.publish.length > 0 && !f.publish.some((p) => published.some((r) => portMatches(p, r.containerPort, r.protocol)))) return false;
  const exposed = (rec.request.exposedPorts ?? []).map((k) => k.split('/')).map(([port, proto]) => [Number(port), proto ?? 'tcp'] as const);
  if (f.expose.length > 0 && !f.expose.some((p) => exposed.some(([port, proto]) => portMatches(p, port, proto)))) return false;
  if (f.volume.length > 0) {
    const mounts = [...rec.request.volumes.flatMap((v) => [v.name, v.destination]), ...rec.request.binds.flatMap((b) => [b.source, b.destination])];
    if (!f.volume.some((v) => mounts.includes(v))) return false;
  }
  return true;
}

/**
 * Docker's filters.Match: an exact match, or an unanchored regular expression match, against the
 * name with and without Docker's leading '/' (so both `name=^web` and `name=^/web` work).
 * An invalid expression only matches exactly, as in Docker.
 */
function nameMatches(pattern: string, name: string): boolean {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  const candidates = [bare, `/${bare}`];
  if (candidates.includes(pattern)) return true;
  const re = compileGoRegex(pattern);
  return re !== undefined && candidates.some((c) => re.test(c));
}

function compileGoRegex(pattern: string): RegExp | undefined {
  // RE2's leading (?i) has no JS equivalent inline; turn it into the flag.
  const insensitive = pattern.startsWith('(?i)');
  try {
    return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'i' : '');
  } catch {
    // Not a valid expression: it matches only a name given literally (as Docker, which ignores a bad regexp here).
    return undefined;
  }
}

function labelMatches(l: LabelFilter, labels: Record<string, string>): boolean {
  if (!Object.hasOwn(labels, l.key)) return false;
  return l.value === undefined || labels[l.key] === l.value;
}

/** exited= only counts containers that ran and are no longer running, as in Docker. */
function hasExited(rec: ContainerRecord): boolean {
  const live = rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';
  return !live && rec.state.startedAt !== ZERO_TIME;
}
