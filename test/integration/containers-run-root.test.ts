// A container belongs to the run root (TSDOCK_RUN_ROOT) it was started with: commands run with
// another run root (as when `sudo` drops the variable) find its runc state, exit file and conmon
// through its record, see it running, exec into it, and stop and remove it cleanly; it is
// declared dead only when its own conmon is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { exists, makeContainerSandbox, mountsUnder, processesMentioning, runcList, waitFor, type ContainerSandbox, type ContainerInspect } from '../helpers/containers.js';
import { runTsdock, type RunResult } from '../helpers/tsdock.js';
import { restoreHostNetwork, snapshotHostNetwork, type HostNetworkState } from '../helpers/network.js';

let c: ContainerSandbox;
let hostBefore: HostNetworkState;
/** The other run root, B; the sandbox's own (c.runRoot) is A. */
const otherRunRoot = `/run/tsdock-test-other-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  hostBefore = await snapshotHostNetwork();
  c = await makeContainerSandbox(getTestbed());
});

afterAll(async () => {
  // Containers started under B are removed through A here, the reverse direction.
  await c?.cleanup();
  expect(await runcList(join(otherRunRoot, 'runc')), 'runc containers left in the other run root').toEqual([]);
  expect(await processesMentioning(otherRunRoot), 'processes of the other run root').toEqual([]);
  await rm(otherRunRoot, { recursive: true, force: true });
  await restoreHostNetwork(hostBefore);
});

/** The CLI with the sandbox's store but run root B. */
function runB(args: string[]): Promise<RunResult> {
  return runTsdock(args, { ...c.sb.env, TSDOCK_RUN_ROOT: otherRunRoot });
}

async function okB(args: string[]): Promise<string> {
  const r = await runB(args);
  expect(r.code, `tsdock ${args.join(' ')} (run root B) failed: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const inspectB = async (q: string) => (JSON.parse(await okB(['inspect', '--type', 'container', q])) as ContainerInspect[])[0]!;
const netnsOf = (id: string) => `/run/netns/tsdock-${id.slice(0, 12)}`;
const mergedOf = (id: string) => join(c.sb.root, 'containers', id, 'merged');

/** conmon's pid, from the pid file under the run root the container was started with. */
async function conmonPid(runRoot: string, id: string): Promise<number> {
  return Number((await readFile(join(runRoot, 'persist', id, 'conmon.pid'), 'utf8')).trim());
}

/** A live process; a zombie (this machine's PID 1 does not reap orphans) counts as gone. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^ Z /.test(stat.slice(stat.lastIndexOf(')') + 1));
}

describe('a container started with run root A, seen with run root B', () => {
  it('stays Up through ps, inspect, logs and exec under B; stop and rm under B really stop and clean it', async () => {
    const id = (await c.ok(['run', '-d', '--name', 'keeper', c.image, 'sh', '-c', 'echo started; exec sleep 300'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const pid = (await c.inspect(id)).State.Pid;
    const monitor = await conmonPid(c.runRoot, id);
    expect(await alive(monitor)).toBe(true);
    expect(await exists(netnsOf(id))).toBe(true);

    expect(await okB(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).toMatch(/^keeper Up /m);
    const st = (await inspectB('keeper')).State;
    expect(st).toMatchObject({ Status: 'running', Running: true, Pid: pid, ExitCode: 0, Error: '' });
    await waitFor('the log line', async () => (await okB(['logs', 'keeper'])) === 'started\n');
    expect(await okB(['exec', 'keeper', 'sh', '-c', 'echo exec-ok; ip -o -4 addr show eth0 | wc -l'])).toBe('exec-ok\n1\n');
    expect(await okB(['top', 'keeper'])).toContain('sleep 300');

    // Nothing was torn down: the process, its monitor, its rootfs and its network are there,
    // and A sees it running too.
    expect(await alive(pid)).toBe(true);
    expect(await alive(monitor)).toBe(true);
    expect(await mountsUnder(mergedOf(id))).toEqual([mergedOf(id)]);
    expect(await exists(netnsOf(id))).toBe(true);
    expect(await runcList(join(c.runRoot, 'runc'))).toEqual([id]);
    expect(await c.ok(['ps', '--format', '{{.Names}} {{.Status}}'])).toMatch(/^keeper Up /m);
    expect((await c.record(id))?.state.status).toBe('running');

    // stop under B: the container really stops (sleep as PID 1 ignores SIGTERM: killed after 1 s).
    await okB(['stop', '-t', '1', 'keeper']);
    const stopped = (await inspectB('keeper')).State;
    expect(stopped).toMatchObject({ Status: 'exited', Running: false, ExitCode: 137, Error: '' });
    expect(await alive(pid)).toBe(false);
    await waitFor('conmon to end', async () => !(await alive(monitor)));
    expect(await mountsUnder(mergedOf(id))).toEqual([]);
    expect(await exists(netnsOf(id))).toBe(false);
    expect(await runcList(join(c.runRoot, 'runc'))).toEqual([]);

    // Started again under B, its run lives under B; rm -f under A finds and removes it.
    await okB(['start', 'keeper']);
    expect(await runcList(join(otherRunRoot, 'runc'))).toEqual([id]);
    const monitorB = await conmonPid(otherRunRoot, id);
    expect(await c.ok(['exec', 'keeper', 'echo', 'via-A'])).toBe('via-A\n');
    expect(await c.ok(['rm', '-f', 'keeper'])).toBe('keeper\n');
    await waitFor('conmon of the second run to end', async () => !(await alive(monitorB)));
    expect(await runcList(join(otherRunRoot, 'runc'))).toEqual([]);
    expect(await exists(netnsOf(id))).toBe(false);
    expect(await mountsUnder(mergedOf(id))).toEqual([]);
    expect(await exists(join(otherRunRoot, 'persist', id))).toBe(false);
    expect(await exists(join(c.sb.root, 'containers', id))).toBe(false);
  });

  it('is declared dead (Exited (255)) only when its own conmon is gone, and then cleaned', async () => {
    const id = (await c.ok(['run', '-d', '--name', 'orphaned', c.image, 'sleep', '300'])).trim();
    const pid = (await c.inspect(id)).State.Pid;
    const monitor = await conmonPid(c.runRoot, id);
    expect(await okB(['ps', '--format', '{{.Names}} {{.Status}}'])).toMatch(/^orphaned Up /m);
    // conmon (started by this test's run) dies; its exit command cannot run.
    process.kill(monitor, 'SIGKILL');
    await waitFor('conmon to die', async () => !(await alive(monitor)));
    expect(await okB(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).toMatch(/^orphaned Exited \(255\) /m);
    const st = (await inspectB('orphaned')).State;
    expect(st).toMatchObject({ Status: 'exited', ExitCode: 255 });
    expect(st.Error).toMatch(/monitoring the container died/);
    // The runtime cleanup ran with the container's own run root: runc state, process, mount, netns.
    expect(await runcList(join(c.runRoot, 'runc'))).toEqual([]);
    await waitFor('the container process to be gone', async () => !(await alive(pid)));
    expect(await mountsUnder(mergedOf(id))).toEqual([]);
    expect(await exists(netnsOf(id))).toBe(false);
    expect(await c.ok(['rm', 'orphaned'])).toBe('orphaned\n');
  });
});
