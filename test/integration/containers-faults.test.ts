// Faults around the containers' commands: a reader of tsdock's output that goes away early
// (`tsdock logs x | head -1`) ends tsdock quietly, as SIGPIPE ends Docker's CLI, and a `--rm`
// container is still ended and removed; `start` and `rm -f` of one container racing from two
// tsdock processes end with one winner and Docker's messages, never a crash or leftovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed } from '../testbed/testbed.js';
import { TSDOCK_BIN, type RunResult } from '../helpers/tsdock.js';
import { makeContainerSandbox, mountsUnder, processesMentioning, runcList, waitFor, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let IMG: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
});
afterAll(async () => {
  await c?.cleanup();
});

/** Node's and V8's marks of a crash: an uncaught error's name or a stack frame. */
const CRASH = /TypeError|ReferenceError|Unhandled|^\s+at .+:\d+:\d+\)?$/m;

/**
 * Runs tsdock with its stdout a pipe whose reading end is closed after the first line (or at
 * once, before any output, with `closeAt: 'start'`), as `tsdock ... | head -1` does.
 */
function runWithClosingReader(args: string[], closeAt: 'first-line' | 'start' = 'first-line'): Promise<RunResult & { firstLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSDOCK_BIN, args, { env: c.sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (closeAt === 'start') child.stdout.destroy();
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (stdout.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, firstLine: stdout.split('\n')[0]! }));
  });
}

const execFileP = promisify(execFile);

async function runcRunning(id: string): Promise<boolean> {
  const state = await execFileP('runc', ['--root', join(c.runRoot, 'runc'), 'state', id]).then((r) => JSON.parse(r.stdout) as { status: string }, () => undefined);
  return state?.status === 'running';
}

const containerDirs = async () => (await readdir(join(c.sb.root, 'containers')).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{64}$/.test(d)).sort();

describe('a reader that closes early ends tsdock quietly', () => {
  it('run --rm seq 1 100000: exit 141, no stack trace, the container is removed', async () => {
    const before = await containerDirs();
    const r = await runWithClosingReader(['run', '--rm', '--network', 'none', IMG, 'seq', '1', '100000']);
    expect(r.firstLine).toBe('1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
    expect(await containerDirs()).toEqual(before);
    expect(await c.ok(['ps', '-aq'])).toBe('');
    expect(await mountsUnder(join(c.sb.root, 'containers'))).toEqual([]);
  });

  it('run --rm yes (output without end): the container is ended, not left running', async () => {
    const t0 = Date.now();
    const r = await runWithClosingReader(['run', '--rm', '--network', 'none', IMG, 'yes']);
    expect(r.firstLine).toBe('y');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await c.ok(['ps', '-aq'])).toBe('');
    expect(await runcList(join(c.runRoot, 'runc'))).toEqual([]);
  });

  it('logs of a long log, and ps/images whose reader is gone before they write', async () => {
    await c.ok(['run', '--name', 'counter', '--network', 'none', IMG, 'seq', '1', '100000']);
    const logs = await runWithClosingReader(['logs', 'counter']);
    expect(logs.firstLine).toBe('1');
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(141);
    for (const args of [['ps', '-a'], ['images'], ['logs', 'counter']]) {
      const r = await runWithClosingReader(args, 'start');
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(141);
    }
    await c.ok(['rm', 'counter']);
  });

  it('logs -f of a running container ends at its next line once the reader is gone', async () => {
    await c.ok(['run', '-d', '--name', 'ticker', '--network', 'none', IMG, 'sh', '-c', 'while true; do echo tick; sleep 0.1; done']);
    const t0 = Date.now();
    const r = await runWithClosingReader(['logs', '-f', 'ticker']);
    expect(r.firstLine).toBe('tick');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await c.inspect('ticker')).State.Status).toBe('running');
    await c.ok(['rm', '-f', 'ticker']);
  });
});

describe('start and rm -f of one container at once', () => {
  it('a start that found the container and waits for its lock while it is removed says "No such container"', async () => {
    const id = (await c.ok(['create', '--network', 'none', IMG, 'true'])).trim();
    // Hold the container's lock as another tsdock (this test's process) would, so the start
    // stops between its lookup and its locked read; remove the container meanwhile.
    const lock = join(c.sb.root, 'container-locks', id);
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    const start = c.run(['start', id]);
    await sleep(1500);
    await rm(join(c.sb.root, 'containers', id), { recursive: true });
    await unlink(lock);
    const r = await start;
    expect(r.stderr).toBe(`Error: No such container: ${id}\n`);
    expect(r.code).toBe(1);
  });

  it('a start whose container exits while it waits for the lock records the exit itself, without waiting for its own lock', async () => {
    // A foreground run whose tsdock is SIGKILLed leaves a record that says running; the start
    // below sees it running, then (lock held elsewhere) the container dies: once the start has
    // the lock it must record the exit under that lock, not ask for it a second time (60 s timeout).
    const fg = spawn(TSDOCK_BIN, ['run', '--name', 'orphan', '--network', 'none', IMG, 'sleep', '300'], { env: c.sb.env, stdio: 'ignore' });
    await waitFor('the foreground container to run', async () => (await c.run(['inspect', '-f', '{{.State.Running}}', 'orphan'])).stdout.trim() === 'true');
    const id = (await c.ok(['inspect', '-f', '{{.Id}}', 'orphan'])).trim();
    const lock = join(c.sb.root, 'container-locks', id);
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    const t0 = Date.now();
    const start = c.run(['start', id]);
    await sleep(1500);
    fg.kill('SIGKILL');
    await execFileP('runc', ['--root', join(c.runRoot, 'runc'), 'kill', id, 'KILL']);
    await waitFor('runc to see the container stopped', async () => !(await runcRunning(id)));
    await unlink(lock);
    const r = await start;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect((await c.inspect('orphan')).State.Status).toBe('running');
    await c.ok(['rm', '-f', 'orphan']);
  });

  it('20 rounds: one wins with Docker\'s messages; the container, its mounts and runc state are gone', async () => {
    for (let round = 0; round < 20; round++) {
      const id = (await c.ok(['create', '--network', 'none', IMG, 'sleep', '100'])).trim();
      // Vary who goes first and by how much, to hit the windows between lookup and lock.
      const delay = (round % 5) * 25;
      const startFirst = round % 2 === 0;
      const later = async (args: string[]) => {
        await sleep(delay);
        return c.run(args);
      };
      const [start, rm] = startFirst
        ? await Promise.all([c.run(['start', id]), later(['rm', '-f', id])])
        : await Promise.all([later(['start', id]), c.run(['rm', '-f', id])]);
      const where = `round ${round}: start ${start.code} ${JSON.stringify(start.stderr)}, rm ${rm.code} ${JSON.stringify(rm.stderr)}`;
      expect(start.stderr, where).not.toMatch(CRASH);
      expect(rm.stderr, where).not.toMatch(CRASH);
      expect(rm.code, where).toBe(0);
      expect(rm.stdout, where).toBe(`${id}\n`);
      if (start.code === 0) expect(start.stdout, where).toBe(`${id}\n`);
      else {
        expect(start.code, where).toBe(1);
        expect(start.stderr, where).toBe(`Error: No such container: ${id}\n`);
      }
      expect(await c.ok(['ps', '-aq', '--no-trunc']), where).toBe('');
      expect(await mountsUnder(join(c.sb.root, 'containers', id)), where).toEqual([]);
      expect(await runcList(join(c.runRoot, 'runc')), where).toEqual([]);
    }
    // conmon of a started container that rm -f killed runs its exit command, which finds nothing to do.
    await waitFor('conmon processes to end', async () => (await processesMentioning(c.runRoot)).length === 0, 15_000);
    expect(await readdir(join(c.runRoot, 'exits')).catch(() => []), 'exit files left in the run root').toEqual([]);
  }, 180_000);
});
