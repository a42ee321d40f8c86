// Shared setup for the container runtime's integration tests: a sandbox (private store root,
// config and run root under /run) with the test bed's busybox image pulled, helpers to run the
// CLI and poll for outcomes, and a cleanup that asserts nothing of the sandbox is left behind
// (containers, overlay mounts, runc state, conmon processes, cgroups).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { Testbed } from '../testbed/testbed.js';
import { makeSandbox, type RunResult, type Sandbox } from './tsdock.js';

const execFileP = promisify(execFile);

export const CGROUP_CONTROLLERS = ['memory', 'pids', 'cpu', 'freezer', 'devices', 'blkio'] as const;

export interface ContainerSandbox {
  sb: Sandbox;
  /** TSDOCK_RUN_ROOT of this sandbox (runc state, exit files, conmon's persist dirs). */
  runRoot: string;
  /** The test bed's busybox image, as pulled into this sandbox's store. */
  image: string;
  /** Runs the CLI; remembers every container ID it can see, for the cgroup check at cleanup. */
  run(args: string[], opts?: { input?: string | Buffer }): Promise<RunResult>;
  /** Runs the CLI and asserts exit 0; returns stdout. */
  ok(args: string[], opts?: { input?: string | Buffer }): Promise<string>;
  /** `inspect` of one container, parsed. */
  inspect(query: string): Promise<ContainerInspect>;
  /** The stored record of a container, read from disk without running tsdock. */
  record(id: string): Promise<{ state: { status: string; exitCode: number; finishedAt: string; oomKilled: boolean } } | undefined>;
  /** `rm -f` of every container (asserting it worked). */
  removeAll(): Promise<void>;
  /** Removes everything and asserts that nothing of the sandbox is left on the machine. */
  cleanup(): Promise<void>;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; Paused: boolean; OOMKilled: boolean; Pid: number; ExitCode: number; Error: string; StartedAt: string; FinishedAt: string };
  Config: { Hostname: string; Labels: Record<string, string> };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string }[];
  [k: string]: unknown;
}

export const ZERO_TIME_PREFIX = '0001-01-01';

export function cgroupPath(controller: string, id: string, file = ''): string {
  return join('/sys/fs/cgroup', controller, 'tsdock', id, file);
}

export const exists = (p: string) => access(p).then(() => true, () => false);

/** Polls `fn` until it returns something other than undefined/false; fails after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Mount points (from /proc/mounts) at or below `dir`. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8');
  return text
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** IDs runc knows under a state root. */
export async function runcList(runcRoot: string): Promise<string[]> {
  const { stdout } = await execFileP('runc', ['--root', runcRoot, 'list', '-q']);
  return stdout.split('\n').filter(Boolean);
}

/** Live processes whose command line mentions `needle` (zombies have none and are skipped). */
export async function processesMentioning(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle)) found.push(`${pid}: ${cmd.split('\0').join(' ').trim()}`);
  }
  return found;
}

export async function makeContainerSandbox(tb: Testbed): Promise<ContainerSandbox> {
  const runRoot = `/run/tsdock-test-${randomBytes(6).toString('hex')}`;
  const sb = await makeSandbox({ TSDOCK_RUN_ROOT: runRoot });
  const image = `${tb.registries.open.addr}/library/busybox:latest`;
  const seen = new Set<string>();

  const remember = async (text: string) => {
    for (const m of text.matchAll(/\b[0-9a-f]{64}\b/g)) seen.add(m[0]);
    for (const d of await readdir(join(sb.root, 'containers')).catch(() => [] as string[])) if (/^[0-9a-f]{64}$/.test(d)) seen.add(d);
  };
  const run = async (args: string[], opts?: { input?: string | Buffer }) => {
    const r = await sb.run(args, opts);
    await remember(r.stdout);
    return r;
  };
  const ok = async (args: string[], opts?: { input?: string | Buffer }) => {
    const r = await run(args, opts);
    expect(r.code, `tsdock ${args.join(' ')} failed: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const allIds = async () => (await ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
  const removeAll = async () => {
    const ids = await allIds();
    if (ids.length) {
      const r = await run(['rm', '-f', ...ids]);
      expect(r.code, `rm -f: ${r.stderr}`).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([...ids].sort());
    }
    expect(await ok(['ps', '-aq'])).toBe('');
  };

  const pull = await sb.run(['pull', '-q', image]);
  expect(pull.code, pull.stderr).toBe(0);

  return {
    sb,
    runRoot,
    image,
    run,
    ok,
    inspect: async (q) => (JSON.parse(await ok(['inspect', '--type', 'container', q])) as ContainerInspect[])[0]!,
    record: async (id) => {
      try {
        return JSON.parse(await readFile(join(sb.root, 'containers', id, 'container.json'), 'utf8'));
      } catch {
        return undefined;
      }
    },
    removeAll,
    cleanup: async () => {
      try {
        await removeAll();
        // conmon and its exit command (`tsdock container cleanup`) are gone once nothing runs.
        const leftovers = async () => [...(await processesMentioning(runRoot)), ...(await processesMentioning(sb.root))];
        await waitFor('conmon and exit commands of the sandbox to end', async () => (await leftovers()).length === 0, 10_000).catch(() => undefined);
        expect(await leftovers(), 'processes of the sandbox still running').toEqual([]);
        expect(await mountsUnder(sb.root), 'overlay mounts left under the store root').toEqual([]);
        expect(await runcList(join(runRoot, 'runc')), 'runc containers left in the run root').toEqual([]);
        const cgroups: string[] = [];
        for (const id of seen) for (const c of CGROUP_CONTROLLERS) if (await exists(cgroupPath(c, id))) cgroups.push(cgroupPath(c, id));
        expect(cgroups, 'cgroups of removed containers left behind').toEqual([]);
        const netns = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => [...seen].some((id) => n === `tsdock-${id.slice(0, 12)}`));
        expect(netns, 'network namespaces of removed containers left behind').toEqual([]);
        expect(await readdir(join(sb.root, 'networks', 'attachments')).catch(() => []), 'network attachments left in the store').toEqual([]);
        expect(await readdir(join(sb.root, 'containers')).catch(() => []), 'container dirs left in the store').toEqual([]);
      } finally {
        // Never rm -r through a mount that is still there.
        for (const m of (await mountsUnder(sb.root)).reverse()) await execFileP('umount', ['-l', m]).catch(() => {});
        await rm(runRoot, { recursive: true, force: true });
        await sb.remove();
      }
    },
  };
}
