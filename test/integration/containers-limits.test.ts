// Resource limits as the kernel applies them: --memory (cgroup memory limit, OOM kill with
// exit 137 and OOMKilled in inspect, foreground and under conmon), --pids-limit (fork fails at
// the limit) and --cpus (CFS quota and period), read from the host's cgroup v1 files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { cgroupPath, exists, makeContainerSandbox, waitFor, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let IMG: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
});
afterAll(async () => {
  await c?.cleanup();
});

const cg = async (controller: string, id: string, file: string) => (await readFile(cgroupPath(controller, id, file), 'utf8')).trim();
/** Builds a string of ~100 MB in the shell's memory: far over a 32 MiB limit. */
const HOG = 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo ${#x}';

describe('--memory', () => {
  it('sets memory.limit_in_bytes; a hog is OOM-killed under conmon: exit 137, OOMKilled true', async () => {
    // The hog waits for /go so the limit can be read while it runs.
    const id = (await c.ok(['run', '-d', '--memory', '32m', IMG, 'sh', '-c', `while [ ! -e /go ]; do sleep 0.1; done; ${HOG}`])).trim();
    expect(await cg('memory', id, 'memory.limit_in_bytes')).toBe('33554432');
    expect((await c.inspect(id)).HostConfig).toMatchObject({ Memory: 33554432 });
    await c.ok(['exec', id, 'touch', '/go']);
    expect(await c.ok(['wait', id])).toBe('137\n');
    const st = (await c.inspect(id)).State;
    expect(st).toMatchObject({ Status: 'exited', ExitCode: 137, OOMKilled: true });
    // conmon saw the OOM kill and left its mark in the persist dir.
    expect(await exists(join(c.runRoot, 'persist', id, 'oom'))).toBe(true);
    expect(await c.ok(['logs', id])).toBe('');
    expect(await exists(cgroupPath('memory', id))).toBe(false);
  });

  it('a foreground run is OOM-killed the same way', async () => {
    const r = await c.run(['run', '--name', 'hog-fg', '--memory', '32m', IMG, 'sh', '-c', HOG]);
    expect(r).toMatchObject({ code: 137, stdout: '' });
    expect((await c.inspect('hog-fg')).State).toMatchObject({ Status: 'exited', ExitCode: 137, OOMKilled: true });
    expect(await exists(cgroupPath('memory', (await c.inspect('hog-fg')).Id))).toBe(false);
  });

  it('a small allocation under the limit exits 0 with OOMKilled false; a tiny limit is refused', async () => {
    const r = await c.run(['run', '--name', 'small', '--memory', '32m', IMG, 'sh', '-c', 'x=$(head -c 1000000 /dev/zero | tr "\\0" a); echo ${#x}']);
    expect(r).toMatchObject({ code: 0, stdout: '1000000\n' });
    expect((await c.inspect('small')).State).toMatchObject({ ExitCode: 0, OOMKilled: false });
    const tiny = await c.run(['run', '--rm', '--memory', '4m', IMG, 'true']);
    expect(tiny.code).toBe(125);
    expect(tiny.stderr).toContain('Minimum memory limit allowed is 6MB');
  });
});

describe('--pids-limit', () => {
  it('a fork loop hits the limit: "can\'t fork", pids.max 20', async () => {
    const r = await c.run(['run', '--rm', '--pids-limit', '20', IMG, 'sh', '-c', 'for i in $(seq 1 50); do sleep 5 & done; wait']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/can't fork: Resource temporarily unavailable/);

    // Detached, so the cgroup can be read: the subshell forks until refused, PID 1 survives.
    const id = (await c.ok(['run', '-d', '--pids-limit', '20', IMG, 'sh', '-c', '(for i in $(seq 1 50); do sleep 30 & done); exec sleep 30'])).trim();
    expect(await cg('pids', id, 'pids.max')).toBe('20');
    const events = await waitFor('the pids limit to be hit', async () => {
      const max = Number(/^max (\d+)$/m.exec(await cg('pids', id, 'pids.events'))?.[1]);
      return max > 0 && max;
    });
    expect(events).toBeGreaterThan(0);
    const current = Number(await cg('pids', id, 'pids.current'));
    expect(current).toBeGreaterThanOrEqual(15);
    expect(current).toBeLessThanOrEqual(20);
    const logs = await waitFor('the fork error in the log', async () => {
      const l = await c.run(['logs', id]);
      return l.stderr.includes("can't fork") && l;
    });
    expect(logs.stdout).toBe('');
    expect((await c.inspect(id)).State.Status).toBe('running');
    expect((await c.inspect(id)).HostConfig).toMatchObject({ PidsLimit: 20 });
    await c.ok(['rm', '-f', id]);
  });
});

describe('--cpus and defaults', () => {
  it('--cpus 0.5 is a 50 ms CFS quota per 100 ms period; without limits the cgroups are unlimited', async () => {
    const limited = (await c.ok(['run', '-d', '--cpus', '0.5', IMG, 'sleep', '30'])).trim();
    const free = (await c.ok(['run', '-d', IMG, 'sleep', '30'])).trim();
    expect(await cg('cpu', limited, 'cpu.cfs_quota_us')).toBe('50000');
    expect(await cg('cpu', limited, 'cpu.cfs_period_us')).toBe('100000');
    expect((await c.inspect(limited)).HostConfig).toMatchObject({ NanoCpus: 500_000_000 });
    // The container's processes are in that cgroup.
    const pid = (await c.inspect(limited)).State.Pid;
    expect(lines(await cg('cpu', limited, 'cgroup.procs'))).toContain(String(pid));

    expect(await cg('cpu', free, 'cpu.cfs_quota_us')).toBe('-1');
    expect(await cg('pids', free, 'pids.max')).toBe('max');
    expect(BigInt(await cg('memory', free, 'memory.limit_in_bytes'))).toBeGreaterThan(2n ** 60n);
    await c.ok(['rm', '-f', limited, free]);

    const cpus = availableParallelism();
    const tooMany = await c.run(['run', '--rm', '--cpus', String(cpus + 1), IMG, 'true']);
    expect(tooMany.code).toBe(125);
    expect(tooMany.stderr).toContain(`range of CPUs is from 0.01 to ${cpus}.00`);
  });
});

function lines(s: string): string[] {
  return s.split('\n').filter(Boolean);
}
