// tsdock killed with SIGKILL at several moments of run -d, run --rm, commit, build (RUN and
// COPY --from) and network set-up. After each kill the next command tells the truth (ps and
// inspect agree with runc's own state), and rm -f / container prune / network prune leave
// nothing of the sandbox behind: no mount, runc container, conmon or runc process, netns,
// cgroup or iptables rule. The kill moments are chosen from tsdock's own trace lines
// (TSDOCK_TRACE=1) and build output, plus a delay of a few to a few hundred ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getTestbed } from '../testbed/testbed.js';
import { TSDOCK_BIN } from '../helpers/tsdock.js';
import { CGROUP_CONTROLLERS, cgroupPath, exists, makeContainerSandbox, mountsUnder, processesMentioning, runcList, waitFor, type ContainerInspect, type ContainerSandbox } from '../helpers/containers.js';
import { iptablesSave, netnsList, restoreHostNetwork, snapshotHostNetwork, type HostNetworkState } from '../helpers/network.js';

const execFileP = promisify(execFile);

let c: ContainerSandbox;
let IMG: string;
let hostBefore: HostNetworkState;
let ctxDir: string;
/** Every container ID seen, for the leak checks. */
const seen = new Set<string>();

beforeAll(async () => {
  hostBefore = await snapshotHostNetwork();
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
  ctxDir = await mkdtemp(join(tmpdir(), 'tsdock-sigkill-ctx-'));
});

afterAll(async () => {
  await c?.cleanup();
  await rm(ctxDir, { recursive: true, force: true });
  await restoreHostNetwork(hostBefore);
});

/**
 * Runs `tsdock ARGS` and SIGKILLs it `delayMs` after a line of its output (stdout or the
 * trace on stderr) matched `at`; resolves with whether the kill came before it finished.
 */
async function killAt(args: string[], at: RegExp, delayMs: number): Promise<{ killed: boolean; output: string }> {
  const child = spawn(TSDOCK_BIN, args, { env: { ...c.sb.env, TSDOCK_TRACE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let armed = false;
  const closed = new Promise<boolean>((resolve) => child.once('close', (_code, signal) => resolve(signal === 'SIGKILL')));
  const onData = (d: Buffer) => {
    output += d.toString();
    if (armed || !at.test(output)) return;
    armed = true;
    setTimeout(() => child.kill('SIGKILL'), delayMs);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const killed = await closed;
  for (const m of output.matchAll(/\b[0-9a-f]{64}\b/g)) seen.add(m[0]);
  return { killed, output };
}

async function runcStatus(id: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('runc', ['--root', join(c.runRoot, 'runc'), 'state', id]);
    return (JSON.parse(stdout) as { status: string }).status;
  } catch {
    return undefined;
  }
}

/** A container's State, undefined once it is removed (a --rm container removes itself). */
async function stateOrGone(id: string): Promise<ContainerInspect['State'] | undefined> {
  const r = await c.run(['inspect', '--type', 'container', id]);
  if (r.code === 1 && /No such container/.test(r.stderr)) return undefined;
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as ContainerInspect[])[0]!.State;
}

/** ps and inspect of every container agree with what runc runs; returns the containers' IDs. */
async function expectTruthfulState(): Promise<string[]> {
  const ids = (await c.ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
  for (const id of ids) {
    seen.add(id);
    // runc is asked before and after: a container that exits in between (run --rm's) is asked again.
    let st: ContainerInspect['State'] | undefined;
    let ps: string | undefined;
    let runc: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const before = await runcStatus(id);
      st = await stateOrGone(id);
      ps = (await c.ok(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}'])).split('\n').find((l) => l.startsWith(id));
      runc = await runcStatus(id);
      if ((before === runc && (st === undefined) === (ps === undefined)) || attempt === 3) break;
    }
    // A --rm container that exited meanwhile removed itself: all of it is gone.
    if (st === undefined) {
      expect(ps).toBeUndefined();
      expect(runc).toBeUndefined();
      continue;
    }
    const expected = runc === 'running' || runc === 'paused' ? [runc] : ['created', 'exited'];
    expect(expected, `inspect says ${st.Status}, runc says ${runc ?? 'nothing'}`).toContain(st.Status);
    expect(ps).toBe(`${id} ${st.Status}`);
    expect(st.Running).toBe(st.Status === 'running' || st.Status === 'paused');
    if (st.Status === 'running') expect(st.Pid).toBeGreaterThan(0);
  }
  return ids;
}

/** Nothing of any container seen is left on the host (after rm -f / prune removed them). */
async function expectNothingLeft(extraRule?: RegExp): Promise<void> {
  expect(await c.ok(['ps', '-aq'])).toBe('');
  expect(await mountsUnder(c.sb.root), 'mounts under the store root').toEqual([]);
  expect(await mountsUnder(c.runRoot), 'mounts under the run root').toEqual([]);
  expect(await runcList(join(c.runRoot, 'runc')), 'runc containers').toEqual([]);
  await waitFor('conmon and its exit command to end', async () => (await processesMentioning(c.runRoot)).length === 0, 10_000).catch(() => {});
  expect(await processesMentioning(c.runRoot), 'processes of the sandbox').toEqual([]);
  const netns = await netnsList();
  const rules = await iptablesSave();
  for (const id of seen) {
    expect(netns, `netns of ${id}`).not.toContain(`tsdock-${id.slice(0, 12)}`);
    expect(rules.filter((r) => r.includes(id)), `iptables rules of ${id}`).toEqual([]);
    for (const ctl of CGROUP_CONTROLLERS) expect(await exists(cgroupPath(ctl, id)), `${ctl} cgroup of ${id}`).toBe(false);
  }
  if (extraRule) expect(rules.filter((r) => extraRule.test(r)), 'iptables rules of the test network').toEqual([]);
  expect(await readdir(join(c.sb.root, 'networks', 'attachments')).catch(() => []), 'network attachments').toEqual([]);
}

async function removeEverything(): Promise<void> {
  const ids = (await c.ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
  if (ids.length) await c.ok(['rm', '-f', ...ids]);
}

describe('SIGKILL of tsdock, then the truth and a full cleanup', () => {
  it('run -d: killed before, during and after the start, the container is what runc says; rm -f cleans up', async () => {
    for (const [at, delay] of [[/\] entry/, 5], [/\] create$/m, 40], [/\] create$/m, 150], [/\] create$/m, 300], [/\] done/, 0]] as const) {
      const r = await killAt(['run', '-d', '--network', 'none', IMG, 'sleep', '300'], at, delay);
      const ids = await expectTruthfulState();
      if (!r.killed) expect(ids.length).toBe(1);
      // A container that runs is a real one: exec works in it.
      for (const id of ids) if ((await stateOrGone(id))?.Status === 'running') expect(await c.ok(['exec', id, 'echo', 'alive'])).toBe('alive\n');
      await removeEverything();
      await expectNothingLeft();
    }
  });

  it('run --rm: a killed client does not strand the container; it is removed once it exits', async () => {
    for (const [at, delay] of [[/\] create$/m, 20], [/\] create$/m, 120], [/\] started/, 5], [/\] started/, 300]] as const) {
      await killAt(['run', '--rm', '--network', 'none', IMG, 'sh', '-c', 'sleep 1; echo done'], at, delay);
      const ids = await expectTruthfulState();
      if (String(at).includes('started')) {
        // It had started: it runs on without its client and then removes itself.
        await waitFor('the container to remove itself', async () => (await c.ok(['ps', '-aq'])) === '', 15_000);
      } else {
        // A start cut short leaves it as Created (as Docker); one that got to run removes itself.
        for (const id of ids) {
          const status = (await stateOrGone(id))?.Status;
          if (status === 'running' || status === 'exited') await waitFor(`container ${id} to remove itself`, async () => (await c.run(['inspect', id])).code === 1, 15_000);
          else if (status !== undefined) expect(status).toBe('created');
        }
      }
      await c.ok(['container', 'prune', '-f']);
      await expectNothingLeft();
    }
  });

  it('commit: a killed commit leaves no frozen container behind a "running" record; exec and unpause tell the truth', async () => {
    // A layer big enough for the commit to hold the freeze a while.
    const id = (await c.ok(['run', '-d', '--network', 'none', IMG, 'sh', '-c', 'dd if=/dev/urandom of=/data bs=1M count=24 2>/dev/null; exec sleep 300'])).trim();
    seen.add(id);
    await waitFor('the layer to be written', async () => (await c.run(['exec', id, 'sh', '-c', 'test $(stat -c %s /data) = 25165824'])).code === 0);
    let killedFrozen = 0;
    for (const delay of [0, 20, 80, 250]) {
      const r = await killAt(['commit', id, `sigkill-commit:${delay}`], /\] frozen for commit/, delay);
      if (r.killed) killedFrozen++;
      await expectTruthfulState();
      const st = (await c.inspect(id)).State;
      expect(st.Status, `after a commit killed ${delay} ms into the freeze (killed: ${r.killed})`).toBe('running');
      expect(await runcStatus(id)).toBe('running');
      expect(await c.ok(['exec', id, 'echo', 'thawed'])).toBe('thawed\n');
      const unpause = await c.run(['unpause', id]);
      expect(unpause.code).toBe(1);
      expect(unpause.stderr).toMatch(/is not paused/);
    }
    // The early kills did land while the commit held the freeze.
    expect(killedFrozen).toBeGreaterThanOrEqual(2);
    await removeEverything();
    await expectNothingLeft();
    // The commits that finished before their kill made images: they go like any other.
    await c.run(['rmi', ...[0, 20, 80, 250].map((d) => `sigkill-commit:${d}`)]);
    expect(await c.ok(['images', '-q', 'sigkill-commit'])).toBe('');
  });

  it('build: killed during RUN and during COPY --from, no step container, mount or build dir is left', async () => {
    await writeFile(join(ctxDir, 'Dockerfile'), [`FROM ${IMG} AS big`, 'RUN dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null', `FROM ${IMG}`, 'COPY --from=big /big /big', 'RUN true', ''].join('\n'));
    for (const [at, delay] of [[/Step 2\/5 : RUN/, 150], [/Step 4\/5 : COPY/, 5], [/Step 4\/5 : COPY/, 60], [/Step 4\/5 : COPY/, 200]] as const) {
      await killAt(['build', '--no-cache', '--network', 'none', '-t', 'sigkill-build', ctxDir], at, delay);
      // The next command (any container command) sweeps the killed build's mounts.
      await expectTruthfulState();
      expect(await mountsUnder(join(c.runRoot, 'build')), `build mounts after a kill ${delay} ms after ${at}`).toEqual([]);
      expect(await readdir(join(c.runRoot, 'build')).catch(() => []), 'build dirs').toEqual([]);
      await removeEverything();
      await expectNothingLeft();
    }
    // A build after all that works and cleans up after itself.
    const ok = await c.run(['build', '--network', 'none', '-q', '-t', 'sigkill-build', ctxDir]);
    expect(ok.code, ok.stderr).toBe(0);
    await expectNothingLeft();
    await c.ok(['rmi', 'sigkill-build']);
    await c.ok(['image', 'prune', '-f']);
  });

  it('network set-up: killed around and during CNI ADD, no netns, lease or iptables rule survives rm -f and network prune', async () => {
    await c.ok(['network', 'create', 'sigkillnet']);
    const subnet = (JSON.parse(await c.ok(['network', 'inspect', 'sigkillnet'])) as { IPAM: { Config: { Subnet: string }[] } }[])[0]!.IPAM.Config[0]!.Subnet;
    // Rules naming the network's addresses (the firewall plugin's CNI-FORWARD ones do not name the container).
    const prefix = subnet.split('.').slice(0, 3).join('.');
    const ours = new RegExp(`${prefix.replace(/\./g, '\\.')}\\.`);
    for (const [at, delay] of [[/\] network setup/, 10], [/\] CNI ADD bridge/, 5], [/\] CNI ADD portmap/, 5], [/\] network sigkillnet attached/, 20]] as const) {
      await killAt(['run', '-d', '--network', 'sigkillnet', '-p', '127.0.0.1::80', IMG, 'sleep', '300'], at, delay);
      const ids = await expectTruthfulState();
      for (const id of ids) {
        const st = (await c.inspect(id)).State.Status;
        expect(await netnsList().then((l) => l.includes(`tsdock-${id.slice(0, 12)}`)), `netns of a ${st} container`).toBe(st === 'running');
      }
      await removeEverything();
      await c.ok(['network', 'prune', '-f']);
      await c.ok(['network', 'create', 'sigkillnet']);
      await expectNothingLeft(ours);
    }
    await c.ok(['network', 'rm', 'sigkillnet']);
    expect((await iptablesSave()).filter((r) => ours.test(r))).toEqual([]);
  });
});
