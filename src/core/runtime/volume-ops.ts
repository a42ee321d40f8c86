import { randomBytes } from 'node:crypto';
import type { ContainerRecord } from './container-record.js';
import type { VolumeRecord, VolumeStore } from './volume-store.js';
import { VolumeNotFoundError } from './volume-store.js';
import type { StoreLock } from '../store/store-lock.js';
import { TsdockError, type ErrorKind } from '../errors.js';
import { treeBytes } from '../fs/tree-size.js';

/** The label Docker (23+) puts on anonymous volumes; `volume prune` without -a removes only those. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export class VolumeError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's message for a bad local volume name. */
export function validateVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new VolumeError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** A random name for `volume create` without one: 64 hex digits, as Docker's. */
export function randomVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** The labels Docker shows: the user's, plus the anonymous marker. */
export function volumeLabels(v: VolumeRecord): Record<string, string> {
  return v.anonymous ? { [ANONYMOUS_LABEL]: '', ...v.labels } : { ...v.labels };
}

/** IDs of the containers (any state) that mount the volume. */
export function volumeUsers(name: string, containers: readonly ContainerRecord[]): string[] {
  return containers.filter((c) => c.request.volumes.some((v) => v.name === name)).map((c) => c.id);
}

/** Go's time.RFC3339 in local time: seconds, `Z` in UTC or `+hh:mm`. */
export function rfc3339(iso: string, tzOffsetMinutes?: number): string {
  const d = new Date(iso);
  const off = tzOffsetMinutes ?? -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000);
  const base = local.toISOString().slice(0, 19);
  if (off === 0) return `${base}Z`;
  const sign = off > 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${base}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** `volume inspect`: Docker's Volume object, keys in its order. */
export function volumeInspect(v: VolumeRecord, mountpoint: string): Record<string, unknown> {
  return {
    CreatedAt: rfc3339(v.created),
    Driver: v.driver,
    Labels: volumeLabels(v),
    Mountpoint: mountpoint,
    Name: v.name,
    Options: {},
    Scope: 'local',
  };
}

// ---- filters (volume ls -f, volume prune --filter) ----

export interface VolumeFilter {
  dangling?: boolean;
  names: string[];
  drivers: string[];
  /** `label=k` / `label=k=v` (all must match); `label!=...` (none may match). */
  labels: string[];
  notLabels: string[];
}

export function parseVolumeFilters(specs: string[]): VolumeFilter {
  const f: VolumeFilter = { names: [], drivers: [], labels: [], notLabels: [] };
  for (const spec of specs) {
    const neg = /^label!=/.test(spec);
    const i = spec.indexOf('=');
    if (i < 0) throw new VolumeError(`bad format of filter (expected name=value)`);
    const key = neg ? 'label!' : spec.slice(0, i).toLowerCase();
    const value = spec.slice(neg ? i + 1 : i + 1);
    switch (key) {
      case 'dangling':
        if (!/^(true|false|1|0)$/i.test(value)) throw new VolumeError(`invalid filter 'dangling=${value}'`);
        f.dangling = /^(true|1)$/i.test(value);
        break;
      case 'name':
        f.names.push(value);
        break;
      case 'driver':
        f.drivers.push(value);
        break;
      case 'label':
        f.labels.push(value);
        break;
      case 'label!':
        f.notLabels.push(value);
        break;
      default:
        throw new VolumeError(`invalid filter '${key}'`);
    }
  }
  return f;
}

function labelMatches(labels: Record<string, string>, spec: string): boolean {
  const i = spec.indexOf('=');
  if (i < 0) return spec in labels;
  return labels[spec.slice(0, i)] === spec.slice(i + 1);
}

export function matchesVolumeFilter(v: VolumeRecord, users: number, f: VolumeFilter): boolean {
  if (f.dangling !== undefined && (users === 0) !== f.dangling) return false;
  if (f.names.length && !f.names.some((n) => v.name.includes(n))) return false;
  if (f.drivers.length && !f.drivers.includes(v.driver)) return false;
  const labels = volumeLabels(v);
  if (!f.labels.every((l) => labelMatches(labels, l))) return false;
  if (f.notLabels.some((l) => labelMatches(labels, l))) return false;
  return true;
}

/** Go's sortorder.NaturalLess: runs of digits compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

// ---- removal ----

/**
 * Removes a volume no container uses (Docker refuses one in use even with -f; -f only makes a
 * missing volume no error). The check and the removal run under the store lock, which `create`
 * also takes to record a container.
 */
export async function removeVolume(volumes: VolumeStore, lock: StoreLock, containers: () => Promise<ContainerRecord[]>, name: string, force: boolean): Promise<void> {
  await lock.withLock(async () => {
    if (!(await volumes.get(name))) {
      if (force) return;
      throw new VolumeNotFoundError(name);
    }
    const users = volumeUsers(name, await containers());
    if (users.length) throw new VolumeError(`remove ${name}: volume is in use - [${users.join(', ')}]`, 'conflict');
    await volumes.remove(name);
  });
}

export interface VolumePruneResult {
  deleted: string[];
  reclaimed: number;
}

/** Unused volumes: anonymous ones only, or with `all` every one; `filter` narrows further. */
export async function pruneVolumes(volumes: VolumeStore, lock: StoreLock, containers: () => Promise<ContainerRecord[]>, opts: { all?: boolean; filter?: VolumeFilter } = {}): Promise<VolumePruneResult> {
  return lock.withLock(async () => {
    const all = await containers();
    const deleted: string[] = [];
    let reclaimed = 0;
    const list = (await volumes.list()).sort((a, b) => naturalCompare(a.name, b.name));
    for (const v of list) {
      if (!opts.all && !v.anonymous) continue;
      if (volumeUsers(v.name, all).length) continue;
      if (opts.filter && !matchesVolumeFilter(v, 0, opts.filter)) continue;
      reclaimed += await treeBytes(volumes.dataPath(v.name));
      await volumes.remove(v.name);
      deleted.push(v.name);
    }
    return { deleted, reclaimed };
  });
}
