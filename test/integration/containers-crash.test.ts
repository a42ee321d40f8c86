// tsdock killed with SIGKILL in the middle of run, stop and rm: the next command shows a
// truthful state, and leftovers (mounts, runc state, directories) are cleaned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, readdir, rm, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed } from '../testbed/testbed.js';
import { makeSandbox, TSDOCK_BIN, type Sandbox } from '../helpers/tsdock.js';

let sb: Sandbox;
let image: string;
let runRoot: string;

beforeAll(async () => {
  sb = await makeSandbox();
  runRoot = `/run/tsdock-test-crash-${process.pid}`;
  await mkdir(runRoot, { recursive: true });
  sb.env.TSDOCK_RUN_ROOT = runRoot;
  image = `${getTestbed().registries.open.addr}/library/busybox:latest`;
  const r = await sb.run(['pull', '-q', image]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  const ids = (await sb.run(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  if (ids.length) await sb.run(['rm', '-f', ...ids]);
  expect(await overlayMountsUnder(sb.root)).toEqual([]);
  expect(runcList()).toEqual([]);
  await sb.remove();
  await rm(runRoot, { recursive: true, force: true });
});

async function overlayMountsUnder(root: string): Promise<string[]> {
  return (await readFile('/proc/mounts', 'utf8')).split('\n').filter((l) => l.includes(root));
}

function runcList(): string[] {
  return execFileSync('runc', ['--root', join(runRoot, 'runc'), 'list', '-q'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

/** Containers runc runs (created ones are not running yet). */
function runcRunning(): string[] {
  return runcList().filter((id) => JSON.parse(execFileSync('runc', ['--root', join(runRoot, 'runc'), 'state', id], { encoding: 'utf8' })).status === 'running');
}

/** Starts tsdock, waits until `ready()` holds, then SIGKILLs it. */
async function killDuring(args: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(TSDOCK_BIN, [...args], { env: sb.env, stdio: 'ignore' });
  const closed = new Promise((r) => child.once('close', r));
  for (let i = 0; i < 1000 && !(await ready()); i++) await sleep(5);
  child.kill('SIGKILL');
  await closed;
}

async function inspectState(name: string) {
  const r = await sb.run(['inspect', '--format', '{{json .State}}', name]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { Status: string; ExitCode: number; Error: string };
}

describe('SIGKILL of tsdock', () => {
  it('during a foreground run: the container runs on under conmon, its exit code and output are kept', async () => {
    await killDuring(['run', '--name', 'fg', image, 'sh', '-c', 'echo started; sleep 2; echo finished'], async () => runcRunning().length > 0);
    // The container outlives the killed tsdock and is reported as running.
    expect((await inspectState('fg')).Status).toBe('running');
    const ps = await sb.run(['ps', '--format', '{{.Names}} {{.State}}']);
    expect(ps.stdout).toContain('fg running');
    for (let i = 0; i < 100 && (await inspectState('fg')).Status === 'running'; i++) await sleep(100);
    const st = await inspectState('fg');
    expect(st.Status).toBe('exited');
    // conmon was there to collect the exit code, and the output went on to the log.
    expect(st.ExitCode).toBe(0);
    expect(st.Error).toBe('');
    expect((await sb.run(['logs', 'fg'])).stdout).toBe('started\nfinished\n');
    expect(await overlayMountsUnder(sb.root)).toEqual([]);
    expect(runcList()).toEqual([]);
    const again = await sb.run(['start', '-a', 'fg']);
    expect(again.code).toBe(0);
    expect((await sb.run(['rm', 'fg'])).code).toBe(0);
  });

  it('during stop: the container is still truthfully running, and the next stop works', async () => {
    const id = (await sb.run(['run', '-d', '--name', 'stubborn', image, 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'])).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    await killDuring(['stop', '-t', '5', 'stubborn'], async () => true);
    await sleep(300);
    expect((await inspectState('stubborn')).Status).toBe('running');
    const stop = await sb.run(['stop', '-t', '1', 'stubborn']);
    expect(stop.code, stop.stderr).toBe(0);
    const st = await inspectState('stubborn');
    expect(st.Status).toBe('exited');
    expect(st.ExitCode).toBe(137);
    expect(await overlayMountsUnder(sb.root)).toEqual([]);
  });

  it('during rm -f of a running container: the next command finishes the job', async () => {
    for (const delay of [0, 20, 60, 120]) {
      const name = `victim${delay}`;
      expect((await sb.run(['run', '-d', '--name', name, image, 'sleep', '60'])).code).toBe(0);
      const started = Date.now();
      await killDuring(['rm', '-f', name], async () => Date.now() - started >= delay);
      const ps = await sb.run(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
      expect(ps.code, ps.stderr).toBe(0);
      const line = ps.stdout.split('\n').find((l) => l.startsWith(`${name} `));
      if (line) {
        expect(line).toMatch(/ (running|exited)$/);
        const again = await sb.run(['rm', '-f', name]);
        expect(again.code, again.stderr).toBe(0);
      }
      expect((await sb.run(['ps', '-aq', '-f', `name=^${name}$`])).stdout).toBe('');
    }
    expect(await overlayMountsUnder(sb.root)).toEqual([]);
    expect(runcList()).toEqual([]);
  });

  it('during create: a directory without a record is removed on the next start-up', async () => {
    const containersDir = join(sb.root, 'containers');
    const before = new Set(await readdir(containersDir));
    const orphan = join(containersDir, 'f'.repeat(64));
    await mkdir(join(orphan, 'upper'), { recursive: true });
    // A create in flight in another tsdock process (a fresh directory) is left alone...
    const inFlight = join(containersDir, 'e'.repeat(64));
    await mkdir(inFlight);
    const old = new Date(Date.now() - 120_000);
    await utimes(orphan, old, old);
    expect((await sb.run(['ps', '-a'])).code).toBe(0);
    const after = await readdir(containersDir);
    expect(after).not.toContain('f'.repeat(64));
    expect(after).toContain('e'.repeat(64));
    // ...until it is old enough to be a leftover.
    await utimes(inFlight, old, old);
    expect((await sb.run(['ps', '-a'])).code).toBe(0);
    expect((await readdir(containersDir)).filter((d) => !before.has(d))).toEqual([]);
  });
});
