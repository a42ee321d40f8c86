import { access, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { humanSize } from '../format/human.js';

/**
 * Resource usage of containers, read from their cgroups the way `docker stats` computes it.
 * Reading (`readCgroupSample`) is separate from the math (pure functions below), so the CLI and
 * the TUI share both and the math is testable without cgroups.
 */

/** One reading of a container's cgroup. */
export interface CgroupSample {
  /** Monotonic clock of the reading, in ns. */
  readAtNs: number;
  /** Cumulative CPU time of every process of the cgroup, in ns. */
  cpuUsageNs: number;
  /** Raw memory usage in bytes (page cache included). */
  memoryUsage: number;
  /** memory.stat as numbers. */
  memoryStat: Record<string, number>;
  /** Raw memory limit in bytes; Infinity when there is none. */
  memoryLimit: number;
  pids: number;
  blockRead: number;
  blockWrite: number;
}

/** Everything a stats row shows, as numbers (Docker's StatsEntry). */
export interface StatsEntry {
  id: string;
  name: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

// ---- pure math ----

/**
 * Docker's calculateCPUPercentUnix: the container's CPU time over the system's, times the number
 * of CPUs. The system's time between two readings is the wall time times the number of CPUs, so
 * 100% is one CPU kept busy and a container can reach N × 100%.
 */
export function cpuPercent(prev: Pick<CgroupSample, 'cpuUsageNs' | 'readAtNs'>, cur: Pick<CgroupSample, 'cpuUsageNs' | 'readAtNs'>, onlineCpus: number): number {
  const cpuDelta = cur.cpuUsageNs - prev.cpuUsageNs;
  const systemDelta = (cur.readAtNs - prev.readAtNs) * onlineCpus;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * onlineCpus * 100;
  return 0;
}

/**
 * Docker's calculateMemUsageUnixNoCache: usage without the inactive page cache
 * (total_inactive_file on cgroup v1, inactive_file on v2), when that is smaller than the usage.
 */
export function memoryUsageNoCache(usage: number, stat: Record<string, number>): number {
  const v1 = stat.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stat.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

/** The daemon caps a limit above the machine's memory (no limit set) at the machine's memory. */
export function effectiveMemoryLimit(limit: number, machineMemory: number): number {
  return machineMemory > 0 && limit > machineMemory ? machineMemory : limit;
}

export function memoryPercent(usage: number, limit: number): number {
  return limit > 0 && Number.isFinite(limit) ? (usage / limit) * 100 : 0;
}

/** A row from two readings (`prev` may be undefined for the first one: CPU is then 0). */
export function statsEntry(
  container: { id: string; name: string },
  prev: CgroupSample | undefined,
  cur: CgroupSample | undefined,
  host: { onlineCpus: number; machineMemory: number },
): StatsEntry {
  if (!cur) return { id: container.id, name: container.name, cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };
  const memory = memoryUsageNoCache(cur.memoryUsage, cur.memoryStat);
  const memoryLimit = effectiveMemoryLimit(cur.memoryLimit, host.machineMemory);
  return {
    id: container.id,
    name: container.name,
    cpuPercent: prev ? cpuPercent(prev, cur, host.onlineCpus) : 0,
    memory,
    memoryLimit: Number.isFinite(memoryLimit) ? memoryLimit : 0,
    memoryPercent: memoryPercent(memory, memoryLimit),
    // tsdock gives containers no network of their own to count (none, or the host's).
    netRx: 0,
    netTx: 0,
    blockRead: cur.blockRead,
    blockWrite: cur.blockWrite,
    pids: cur.pids,
  };
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units BytesSize: binary units, "%.4g" (32 MiB is "32MiB", 1.5 GiB is "1.5GiB"). */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < BINARY_UNITS.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${String(Number(size.toPrecision(4)))}${BINARY_UNITS[unit]}`;
}

/** The strings `docker stats` prints (its --format fields). */
export interface StatsView {
  Container: string;
  ID: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

/** Header cells of the stats table, by field. */
export const STATS_HEADER: StatsView = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export function statsView(e: StatsEntry, opts: { noTrunc?: boolean; container?: string } = {}): StatsView {
  const id = opts.noTrunc ? e.id : e.id.slice(0, 12);
  // Keys in Docker's `{{json .}}` order (alphabetical).
  return {
    BlockIO: `${humanSize(e.blockRead)} / ${humanSize(e.blockWrite)}`,
    CPUPerc: `${e.cpuPercent.toFixed(2)}%`,
    Container: opts.container ?? id,
    ID: id,
    MemPerc: `${e.memoryPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.name.replace(/^\//, ''),
    NetIO: `${humanSize(e.netRx)} / ${humanSize(e.netTx)}`,
    PIDs: String(e.pids),
  };
}

// ---- parsing of cgroup files ----

/** `key value` lines (memory.stat, cpu.stat). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** cgroup v1 blkio.*io_service_bytes*: `MAJ:MIN Op bytes` lines (and a `Total` line). */
export function parseBlkioServiceBytes(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3 || !f[0]!.includes(':')) continue;
    const op = f[1]!.toLowerCase();
    if (op === 'read') read += Number(f[2]) || 0;
    else if (op === 'write') write += Number(f[2]) || 0;
  }
  return { read, write };
}

/** cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N ...` lines. */
export function parseIoStat(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    for (const kv of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = kv.split('=');
      if (k === 'rbytes') read += Number(v) || 0;
      else if (k === 'wbytes') write += Number(v) || 0;
    }
  }
  return { read, write };
}

/** A limit file: a number, or "max" (v2) / a huge page-rounded number (v1) for none. */
export function parseLimit(text: string): number {
  const t = text.trim();
  if (t === '' || t === 'max') return Infinity;
  const n = Number(t);
  // v1 reports "no limit" as PAGE_COUNTER_MAX pages: anything near 2^63.
  return Number.isFinite(n) && n < 2 ** 62 ? n : Infinity;
}

// ---- reading ----

export interface CgroupLayout {
  version: 1 | 2;
  /** Mount point of the cgroup file systems, /sys/fs/cgroup. */
  root: string;
}

export async function detectCgroupLayout(root = '/sys/fs/cgroup'): Promise<CgroupLayout> {
  const unified = await access(join(root, 'cgroup.controllers')).then(() => true, () => false);
  return { version: unified ? 2 : 1, root };
}

/** The cgroup runc puts a tsdock container in (the spec's cgroupsPath is /tsdock/<id>). */
export function containerCgroupPath(id: string): string {
  return `tsdock/${id}`;
}

// cgroup files differ between v1, v2 and kernels: a missing one is a figure not reported.
const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);

/** Reads a container's cgroup; undefined when it has none (not running). */
export async function readCgroupSample(cgroupPath: string, layout: CgroupLayout, now: () => number = monotonicNs): Promise<CgroupSample | undefined> {
  if (layout.version === 2) {
    const dir = join(layout.root, cgroupPath);
    const [cpu, usage, limit, stat, pids, io] = await Promise.all(['cpu.stat', 'memory.current', 'memory.max', 'memory.stat', 'pids.current', 'io.stat'].map((f) => read(join(dir, f))));
    const readAtNs = now();
    if (cpu === undefined && usage === undefined) return undefined;
    const blk = parseIoStat(io ?? '');
    return {
      readAtNs,
      cpuUsageNs: (parseFlatKeyed(cpu ?? '').usage_usec ?? 0) * 1000,
      memoryUsage: Number(usage?.trim()) || 0,
      memoryStat: parseFlatKeyed(stat ?? ''),
      memoryLimit: parseLimit(limit ?? ''),
      pids: Number(pids?.trim()) || 0,
      blockRead: blk.read,
      blockWrite: blk.write,
    };
  }
  const at = (controller: string, file: string) => read(join(layout.root, controller, cgroupPath, file));
  const [cpu, usage, limit, stat, pids, blkRec, blkPlain] = await Promise.all([
    at('cpuacct', 'cpuacct.usage'),
    at('memory', 'memory.usage_in_bytes'),
    at('memory', 'memory.limit_in_bytes'),
    at('memory', 'memory.stat'),
    at('pids', 'pids.current'),
    at('blkio', 'blkio.throttle.io_service_bytes_recursive'),
    at('blkio', 'blkio.throttle.io_service_bytes'),
  ]);
  const readAtNs = now();
  if (cpu === undefined && usage === undefined) return undefined;
  const blk = parseBlkioServiceBytes(blkRec ?? blkPlain ?? '');
  return {
    readAtNs,
    cpuUsageNs: Number(cpu?.trim()) || 0,
    memoryUsage: Number(usage?.trim()) || 0,
    memoryStat: parseFlatKeyed(stat ?? ''),
    memoryLimit: parseLimit(limit ?? ''),
    pids: Number(pids?.trim()) || 0,
    blockRead: blk.read,
    blockWrite: blk.write,
  };
}

export function monotonicNs(): number {
  return Number(process.hrtime.bigint());
}

/** What the percentages are relative to: online CPUs and the machine's memory. */
export function hostResources(): { onlineCpus: number; machineMemory: number } {
  return { onlineCpus: Math.max(1, cpus().length), machineMemory: totalmem() };
}

/**
 * Keeps the previous reading of every container so each call yields rows with the CPU use since
 * the last one: the CLI's `stats` loop and the TUI call `sample()` once a second.
 */
export class StatsSampler {
  private prev = new Map<string, CgroupSample>();
  private layout?: Promise<CgroupLayout>;

  constructor(
    private readonly cgroupRoot = '/sys/fs/cgroup',
    private readonly host = hostResources(),
  ) {}

  async sample(containers: { id: string; name: string; running: boolean }[]): Promise<StatsEntry[]> {
    const layout = await (this.layout ??= detectCgroupLayout(this.cgroupRoot));
    const samples = await Promise.all(containers.map((c) => (c.running ? readCgroupSample(containerCgroupPath(c.id), layout) : Promise.resolve(undefined))));
    const next = new Map<string, CgroupSample>();
    const rows = containers.map((c, i) => {
      const cur = samples[i];
      if (cur) next.set(c.id, cur);
      return statsEntry(c, this.prev.get(c.id), cur, this.host);
    });
    this.prev = next;
    return rows;
  }
}
