import { ZERO_TIME, type ContainerRecord, type ContainerStatus } from './container-record.js';
import { CONTAINER_STATUSES } from './container-state-machine.js';

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
  /** A status filter makes ps consider stopped containers without -a, as Docker does. */
  all: boolean;
}

export interface LabelFilter {
  key: string;
  /** undefined: the label only has to exist. */
  value?: string;
}

/** Whether the container's image is `ancestor` (name[:tag], digest or ID prefix); needs the image store. */
export type ImageMatcher = (ancestor: string, rec: ContainerRecord) => boolean;

export const PS_FILTER_KEYS = ['ancestor', 'exited', 'id', 'label', 'name', 'status'] as const;
type PsFilterKey = (typeof PS_FILTER_KEYS)[number];

export class InvalidFilterError extends Error {
  override readonly name = 'InvalidFilterError';
  constructor(
    readonly filter: string,
    message: string,
  ) {
    super(message);
  }
}

export function emptyPsFilter(): PsFilter {
  return { status: [], name: [], id: [], ancestor: [], label: [], exited: [], all: false };
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
    case 'name':
    case 'id':
    case 'ancestor':
      pushUnique(f[key], value);
      return;
  }
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
