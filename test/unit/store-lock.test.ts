import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/core/process/process-alive.js';
import { StoreLock, StoreLockTimeoutError } from '../../src/core/store/store-lock.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-lock-'));
  lockPath = join(dir, 'store.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) => access(p).then(() => true, () => false);

/** Pid of a process that has run and exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync('true');
  expect(child.status).toBe(0);
  expect(child.pid).toBeGreaterThan(0);
  expect(processAlive(child.pid!)).toBe(false);
  return child.pid!;
}

describe('StoreLock in one process', () => {
  it('runs the function, returns its value and removes the lock file', async () => {
    const lock = new StoreLock(lockPath);
    const result = await lock.withLock(async () => {
      expect(await readFile(lockPath, 'utf8')).toBe(String(process.pid));
      return 42;
    });
    expect(result).toBe(42);
    expect(await exists(lockPath)).toBe(false);
  });

  it('releases the lock when the function throws', async () => {
    const lock = new StoreLock(lockPath);
    await expect(lock.withLock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await exists(lockPath)).toBe(false);
    expect(await lock.withLock(async () => 'again')).toBe('again');
  });

  it('never lets overlapping critical sections interleave', async () => {
    const lock = new StoreLock(lockPath, 10_000);
    const order: string[] = [];
    const section = (name: string) =>
      lock.withLock(async () => {
        order.push(`enter ${name}`);
        await sleep(15);
        order.push(`exit ${name}`);
      });
    await Promise.all(['a', 'b', 'c', 'd'].map(section));
    expect(order).toHaveLength(8);
    for (let i = 0; i < order.length; i += 2) {
      const name = order[i]!.slice('enter '.length);
      expect(order[i]).toBe(`enter ${name}`);
      expect(order[i + 1]).toBe(`exit ${name}`);
    }
    expect(new Set(order.filter((e) => e.startsWith('enter'))).size).toBe(4);
  });

  it('serialises read-modify-write cycles on shared state', async () => {
    const lock = new StoreLock(lockPath, 10_000);
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        lock.withLock(async () => {
          const n = Number(await readFile(counter, 'utf8'));
          await sleep(1);
          await writeFile(counter, String(n + 1));
        }),
      ),
    );
    expect(await readFile(counter, 'utf8')).toBe('20');
  });

  it('takes over a lock left by a process that died', async () => {
    const pid = deadPid();
    await writeFile(lockPath, String(pid));
    const started = Date.now();
    const ran = await new StoreLock(lockPath, 5_000).withLock(async () => {
      expect(await readFile(lockPath, 'utf8')).toBe(String(process.pid));
      return true;
    });
    expect(ran).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await exists(lockPath)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('stale'))).toEqual([]);
  });

  describe('held by a live process', () => {
    let holder: ChildProcess | undefined;
    afterEach(async () => {
      if (holder && holder.exitCode === null && holder.signalCode === null) {
        const exited = once(holder, 'exit');
        holder.kill('SIGKILL');
        await exited;
      }
      holder = undefined;
    });

    it('times out with StoreLockTimeoutError and leaves the holder’s lock alone', async () => {
      holder = spawn('sleep', ['30'], { stdio: 'ignore' });
      await once(holder, 'spawn');
      const pid = holder.pid!;
      await writeFile(lockPath, String(pid));

      const started = Date.now();
      let entered = false;
      const attempt = new StoreLock(lockPath, 300).withLock(async () => {
        entered = true;
      });
      await expect(attempt).rejects.toBeInstanceOf(StoreLockTimeoutError);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(waited).toBeLessThan(3_000);
      expect(entered).toBe(false);
      expect(await readFile(lockPath, 'utf8')).toBe(String(pid));

      await expect(new StoreLock(lockPath, 100).withLock(async () => {})).rejects.toThrow(
        `the store is locked by another tsdock process (pid ${pid}, lock file ${lockPath})`,
      );
    });

    it('gets the lock once the holder releases it', async () => {
      holder = spawn('sleep', ['30'], { stdio: 'ignore' });
      await once(holder, 'spawn');
      await writeFile(lockPath, String(holder.pid));
      setTimeout(() => void rm(lockPath, { force: true }), 150);
      const started = Date.now();
      expect(await new StoreLock(lockPath, 5_000).withLock(async () => 'mine')).toBe('mine');
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });
  });
});

describe('StoreLock across processes', () => {
  let buildDir: string;
  let worker: string;

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'tsdock-lock-build-'));
    const bundle = join(buildDir, 'lock.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/core/store/store-lock.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    worker = join(buildDir, 'worker.mjs');
    await writeFile(
      worker,
      `import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreLock } from ${JSON.stringify(pathToFileURL(bundle).href)};
const [lockPath, counterPath, rounds] = process.argv.slice(2);
const lock = new StoreLock(lockPath, 60000);
for (let i = 0; i < Number(rounds); i++) {
  await lock.withLock(async () => {
    const n = Number(await readFile(counterPath, 'utf8'));
    await sleep(1);
    await writeFile(counterPath, String(n + 1));
  });
}
`,
    );
  }, 60_000);

  afterAll(async () => {
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  async function runWorkers(count: number, rounds: number, counter: string): Promise<void> {
    const children = Array.from({ length: count }, () =>
      spawn(process.execPath, [worker, lockPath, counter, String(rounds)], { stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    const results = await Promise.all(
      children.map(async (child) => {
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const [code] = (await once(child, 'exit')) as [number | null];
        return { code, stderr };
      }),
    );
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
  }

  it('4 processes x 25 locked read-increment-write cycles lose no update', async () => {
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await runWorkers(4, 25, counter);
    expect(await readFile(counter, 'utf8')).toBe('100');
    expect(await exists(lockPath)).toBe(false);
  }, 60_000);
});
