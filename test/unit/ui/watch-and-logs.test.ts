import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreWatcher } from '../../../src/core/store/store-watcher.js';
import { followLogFile } from '../../../src/core/runtime/log-follower.js';
import type { LogRecord } from '../../../src/core/runtime/container-logs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-ui-watch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(test: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('StoreWatcher', () => {
  it('reports container and image changes, debounced, without polling', async () => {
    const paths = { containersDir: join(dir, 'containers'), exitDir: join(dir, 'exits'), storeRoot: dir, imagesDir: join(dir, 'images') };
    for (const d of [paths.containersDir, paths.exitDir, paths.imagesDir]) await mkdir(d);
    const id = 'a'.repeat(64);
    await mkdir(join(paths.containersDir, id));
    const events: string[] = [];
    const watcher = new StoreWatcher(paths, (what) => events.push(what), 30);
    watcher.start();
    await new Promise((r) => setTimeout(r, 50));

    // A record replaced atomically (temp + rename), several times in a burst: one event.
    for (let i = 0; i < 3; i++) {
      await writeFile(join(paths.containersDir, id, '.tmp'), `{"n":${i}}`);
      await rename(join(paths.containersDir, id, '.tmp'), join(paths.containersDir, id, 'container.json'));
    }
    await until(() => events.length === 1);
    expect(events).toEqual(['containers']);

    // A new container directory is watched too.
    const other = 'b'.repeat(64);
    await mkdir(join(paths.containersDir, other));
    await until(() => events.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(join(paths.containersDir, other, 'container.json'), '{}');
    await until(() => events.length === 3);

    // conmon's exit file, and the tag file.
    await writeFile(join(paths.exitDir, id), '0');
    await until(() => events.length === 4);
    await writeFile(join(dir, 'repositories.json'), '{}');
    await until(() => events.includes('images'));
    watcher.close();
  });
});

describe('followLogFile', () => {
  it('reads the log, then follows appended records, joining partial lines', async () => {
    const path = join(dir, 'ctr.log');
    await writeFile(path, '2024-06-01T12:00:00.000000000Z stdout F first\n');
    const got: LogRecord[] = [];
    const errors: Error[] = [];
    const stop = followLogFile(path, (r) => got.push(...r), (e) => errors.push(e));
    await until(() => got.length === 1);
    await appendFile(path, '2024-06-01T12:00:01.000000000Z stdout P sec');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(1);
    await appendFile(path, 'ond\n2024-06-01T12:00:01.500000000Z stdout F  half\n');
    await until(() => got.length === 2);
    expect(got.map((r) => r.content)).toEqual(['first', 'second half']);
    stop();
    expect(errors).toEqual([]);
  });

  it('waits for a log that does not exist yet', async () => {
    const path = join(dir, 'ctr.log');
    const got: LogRecord[] = [];
    const stop = followLogFile(path, (r) => got.push(...r), () => {});
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(path, '2024-06-01T12:00:00.000000000Z stderr F late\n');
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ stream: 'stderr', content: 'late' });
    stop();
  });
});
