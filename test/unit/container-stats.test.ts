import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bytesSize,
  cpuPercent,
  detectCgroupLayout,
  effectiveMemoryLimit,
  memoryPercent,
  memoryUsageNoCache,
  parseBlkioServiceBytes,
  parseFlatKeyed,
  parseIoStat,
  parseLimit,
  readCgroupSample,
  StatsSampler,
  statsEntry,
  statsView,
  STATS_HEADER,
  type CgroupSample,
} from '../../src/core/runtime/container-stats.js';

// Reference: docker/cli cli/command/container/stats_helpers.go (calculateCPUPercentUnix,
// calculateMemUsageUnixNoCache, calculateBlockIO), formatter_stats.go, and go-units BytesSize.

const sample = (over: Partial<CgroupSample>): CgroupSample => ({
  readAtNs: 0,
  cpuUsageNs: 0,
  memoryUsage: 0,
  memoryStat: {},
  memoryLimit: Infinity,
  pids: 0,
  blockRead: 0,
  blockWrite: 0,
  ...over,
});

describe('cpuPercent (Docker: cpuDelta / systemDelta × CPUs × 100, system = wall × CPUs)', () => {
  it('is the share of one CPU: half a second of CPU in one second is 50%, whatever the CPU count', () => {
    for (const cpus of [1, 2, 8]) expect(cpuPercent({ cpuUsageNs: 1e9, readAtNs: 0 }, { cpuUsageNs: 1.5e9, readAtNs: 1e9 }, cpus)).toBeCloseTo(50, 10);
  });
  it('goes above 100% for a container using several CPUs', () => {
    expect(cpuPercent({ cpuUsageNs: 0, readAtNs: 0 }, { cpuUsageNs: 3e9, readAtNs: 1e9 }, 4)).toBeCloseTo(300, 10);
  });
  it('is 0 without time passing or without CPU used (and never negative)', () => {
    expect(cpuPercent({ cpuUsageNs: 5, readAtNs: 10 }, { cpuUsageNs: 50, readAtNs: 10 }, 2)).toBe(0);
    expect(cpuPercent({ cpuUsageNs: 5, readAtNs: 0 }, { cpuUsageNs: 5, readAtNs: 1e9 }, 2)).toBe(0);
    expect(cpuPercent({ cpuUsageNs: 9, readAtNs: 0 }, { cpuUsageNs: 5, readAtNs: 1e9 }, 2)).toBe(0);
  });
});

describe('memory', () => {
  it('cgroup v1: usage minus total_inactive_file, when smaller', () => {
    expect(memoryUsageNoCache(10_000, { total_inactive_file: 4_000, inactive_file: 1 })).toBe(6_000);
    expect(memoryUsageNoCache(10_000, { total_inactive_file: 20_000 })).toBe(10_000);
  });
  it('cgroup v2: usage minus inactive_file', () => {
    expect(memoryUsageNoCache(10_000, { inactive_file: 3_000 })).toBe(7_000);
    expect(memoryUsageNoCache(10_000, {})).toBe(10_000);
  });
  it('a limit above the machine memory (none set) is the machine memory', () => {
    expect(effectiveMemoryLimit(Infinity, 8 * 2 ** 30)).toBe(8 * 2 ** 30);
    expect(effectiveMemoryLimit(9223372036854771712, 8 * 2 ** 30)).toBe(8 * 2 ** 30);
    expect(effectiveMemoryLimit(32 << 20, 8 * 2 ** 30)).toBe(32 << 20);
  });
  it('MEM % is usage over limit', () => {
    expect(memoryPercent(8 << 20, 32 << 20)).toBe(25);
    expect(memoryPercent(1, 0)).toBe(0);
  });
});

describe('parsing cgroup files', () => {
  it('memory.stat / cpu.stat', () => {
    expect(parseFlatKeyed('cache 4096\nrss 8192\ntotal_inactive_file 1024\n\n')).toEqual({ cache: 4096, rss: 8192, total_inactive_file: 1024 });
  });
  it('v1 blkio io_service_bytes: Read and Write summed over devices, Total ignored', () => {
    const text = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 12288\n8:16 Read 100\n8:16 Write 1\nTotal 12389\n';
    expect(parseBlkioServiceBytes(text)).toEqual({ read: 4196, write: 8193 });
    expect(parseBlkioServiceBytes('Total 0\n')).toEqual({ read: 0, write: 0 });
  });
  it('v2 io.stat', () => {
    expect(parseIoStat('8:0 rbytes=100 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2\n')).toEqual({ read: 101, write: 22 });
  });
  it('limits: numbers, "max", and v1 "no limit"', () => {
    expect(parseLimit('33554432\n')).toBe(33554432);
    expect(parseLimit('max\n')).toBe(Infinity);
    expect(parseLimit('9223372036854771712\n')).toBe(Infinity);
  });
});

describe('formatting (docker stats columns)', () => {
  it('bytesSize is go-units BytesSize (binary, %.4g)', () => {
    expect(bytesSize(0)).toBe('0B');
    expect(bytesSize(1023)).toBe('1023B');
    expect(bytesSize(1024)).toBe('1KiB');
    expect(bytesSize(344064)).toBe('336KiB');
    expect(bytesSize(32 * 1024 * 1024)).toBe('32MiB');
    expect(bytesSize(1.5 * 1024 ** 3)).toBe('1.5GiB');
    expect(bytesSize(1234567)).toBe('1.177MiB');
  });
  it('a row: percentages with two decimals, MEM USAGE / LIMIT, NET and BLOCK I/O decimal', () => {
    const e = statsEntry(
      { id: 'a'.repeat(64), name: 'web' },
      sample({ readAtNs: 0, cpuUsageNs: 0 }),
      sample({ readAtNs: 1e9, cpuUsageNs: 2.5e8, memoryUsage: 9 << 20, memoryStat: { total_inactive_file: 1 << 20 }, memoryLimit: 32 << 20, pids: 3, blockRead: 1500, blockWrite: 2_000_000 }),
      { onlineCpus: 2, machineMemory: 16 * 2 ** 30 },
    );
    expect(statsView(e)).toEqual({
      Container: 'aaaaaaaaaaaa',
      ID: 'aaaaaaaaaaaa',
      Name: 'web',
      CPUPerc: '25.00%',
      MemUsage: '8MiB / 32MiB',
      MemPerc: '25.00%',
      NetIO: '0B / 0B',
      BlockIO: '1.5kB / 2MB',
      PIDs: '3',
    });
    expect(statsView(e, { noTrunc: true, container: 'web' })).toMatchObject({ Container: 'web', ID: 'a'.repeat(64) });
  });
  it('a container without a cgroup (stopped) shows zeros', () => {
    const v = statsView(statsEntry({ id: 'b'.repeat(64), name: 'x' }, undefined, undefined, { onlineCpus: 1, machineMemory: 1 }));
    expect([v.CPUPerc, v.MemUsage, v.MemPerc, v.NetIO, v.BlockIO, v.PIDs]).toEqual(['0.00%', '0B / 0B', '0.00%', '0B / 0B', '0B / 0B', '0']);
  });
  it('header names', () => {
    expect(Object.values(STATS_HEADER)).toContain('MEM USAGE / LIMIT');
  });
});

describe('reading a fake cgroup tree', () => {
  let dir: string;
  const id = 'c'.repeat(64);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsdock-cgroup-'));
    const v1 = join(dir, 'v1');
    const files: Record<string, string> = {
      [`cpuacct/tsdock/${id}/cpuacct.usage`]: '1000000000\n',
      [`memory/tsdock/${id}/memory.usage_in_bytes`]: `${10 << 20}\n`,
      [`memory/tsdock/${id}/memory.limit_in_bytes`]: '9223372036854771712\n',
      [`memory/tsdock/${id}/memory.stat`]: `cache 0\ntotal_inactive_file ${2 << 20}\n`,
      [`pids/tsdock/${id}/pids.current`]: '4\n',
      [`blkio/tsdock/${id}/blkio.throttle.io_service_bytes`]: '8:0 Read 10\n8:0 Write 20\nTotal 30\n',
    };
    for (const [f, text] of Object.entries(files)) {
      await mkdir(join(v1, f, '..'), { recursive: true });
      await writeFile(join(v1, f), text);
    }
    const v2 = join(dir, 'v2');
    await mkdir(join(v2, 'tsdock', id), { recursive: true });
    await writeFile(join(v2, 'cgroup.controllers'), 'cpu memory pids io\n');
    for (const [f, text] of Object.entries({ 'cpu.stat': 'usage_usec 500000\nuser_usec 1\n', 'memory.current': '4096\n', 'memory.max': '8192\n', 'memory.stat': 'inactive_file 1024\n', 'pids.current': '2\n', 'io.stat': '8:0 rbytes=7 wbytes=9\n' })) {
      await writeFile(join(v2, 'tsdock', id, f), text);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cgroup v1 (one hierarchy per controller)', async () => {
    const layout = await detectCgroupLayout(join(dir, 'v1'));
    expect(layout.version).toBe(1);
    const s = await readCgroupSample(`tsdock/${id}`, layout, () => 42);
    expect(s).toEqual({ readAtNs: 42, cpuUsageNs: 1e9, memoryUsage: 10 << 20, memoryStat: { cache: 0, total_inactive_file: 2 << 20 }, memoryLimit: Infinity, pids: 4, blockRead: 10, blockWrite: 20 });
    expect(await readCgroupSample('tsdock/nothere', layout)).toBeUndefined();
  });

  it('cgroup v2 (unified)', async () => {
    const layout = await detectCgroupLayout(join(dir, 'v2'));
    expect(layout.version).toBe(2);
    const s = await readCgroupSample(`tsdock/${id}`, layout, () => 7);
    expect(s).toEqual({ readAtNs: 7, cpuUsageNs: 5e8, memoryUsage: 4096, memoryStat: { inactive_file: 1024 }, memoryLimit: 8192, pids: 2, blockRead: 7, blockWrite: 9 });
  });

  it('StatsSampler: the first reading has no CPU share, the next one does', async () => {
    const sampler = new StatsSampler(join(dir, 'v1'), { onlineCpus: 2, machineMemory: 64 << 20 });
    const [first] = await sampler.sample([{ id, name: 'x', running: true }]);
    expect(first).toMatchObject({ cpuPercent: 0, memory: 8 << 20, memoryLimit: 64 << 20, memoryPercent: 12.5, pids: 4, blockRead: 10, blockWrite: 20 });
    await writeFile(join(dir, 'v1', `cpuacct/tsdock/${id}/cpuacct.usage`), '1000000000000\n');
    const [second] = await sampler.sample([{ id, name: 'x', running: true }]);
    expect(second!.cpuPercent).toBeGreaterThan(0);
    const [stopped] = await sampler.sample([{ id, name: 'x', running: false }]);
    expect(stopped).toMatchObject({ cpuPercent: 0, memory: 0, pids: 0 });
  });
});
