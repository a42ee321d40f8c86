// The one safe primitive (RootedFs + tree reader/writer/tar) attacked as an image or context
// author would: symlinks planted by earlier entries, absolute and climbing links, loops,
// hardlinks and `..` in tar streams, swaps racing the copy, endless /proc files; plus a fuzz
// over random trees copied every way. A canary tree outside the roots must never change.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PathEscapeError, release, RootedFs } from '../../src/core/fs/rooted-fs.js';
import { readTree } from '../../src/core/fs/tree-reader.js';
import { TreeWriteError, writeTree } from '../../src/core/fs/tree-writer.js';
import { readTarEntries, TarStreamError, writeTarStream } from '../../src/core/fs/tree-tar.js';
import { copyIntoRoot } from '../../src/core/build/copy-step.js';
import { resolveCopySources } from '../../src/core/build/copy-sources.js';
import { buildTar } from '../helpers/tar-builder.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { prng, randomTree } from '../helpers/random-tree.js';

let base: string;
let canary: string;
let src: string;
let dst: string;
let canaryBefore: Record<string, string>;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'tsdock-rootedfs-'));
  canary = join(base, 'canary');
  src = join(base, 'src');
  dst = join(base, 'dst');
  await mkdir(join(canary, 'dir'), { recursive: true });
  await writeFile(join(canary, 'file'), 'host secret\n');
  await writeFile(join(canary, 'dir/inside'), 'host file in dir\n');
  await mkdir(src);
  await mkdir(dst);
  canaryBefore = await snapshotTree(canary);
});

afterEach(async () => {
  expect(await snapshotTree(canary)).toEqual(canaryBefore);
  await rm(base, { recursive: true, force: true });
});

async function withRoots<T>(fn: (from: RootedFs, to: RootedFs) => Promise<T>): Promise<T> {
  const from = await RootedFs.open(src);
  const to = await RootedFs.open(dst);
  try {
    return await fn(from, to);
  } finally {
    await from.close();
    await to.close();
  }
}

const copy = (from: RootedFs, path: string, to: RootedFs, target: string, owner?: { uid: number; gid: number }) => writeTree(to, target, readTree(from, path, false), { owner });

describe('RootedFs.locate', () => {
  it('reads absolute, relative and climbing symlinks inside the root; `..` stops at /', async () => {
    await mkdir(join(src, 'etc'));
    await writeFile(join(src, 'etc/passwd'), 'in root\n');
    await symlink(join(canary, 'file'), join(src, 'abs'));
    await symlink('../../../../../../etc/passwd', join(src, 'climb'));
    await symlink('/etc', join(src, 'etclink'));
    const fs = await RootedFs.open(src);
    try {
      const where = async (p: string, followLast = true) => {
        const loc = await fs.locate(p, { followLast });
        await release(loc);
        return loc.path;
      };
      expect(await where('/climb')).toBe('/etc/passwd');
      expect(await where('etclink/passwd')).toBe('/etc/passwd');
      expect(await where('../../../etc/../etc/passwd')).toBe('/etc/passwd');
      // The same path, but inside the root, where it does not exist.
      await expect(where('/abs')).rejects.toThrow(`${join(canary, 'file').split('/').slice(0, 2).join('/')}: no such file or directory`);
      expect(await where('/abs', false)).toBe('/abs');
    } finally {
      await fs.close();
    }
  });

  it('refuses symlink loops with a clear error', async () => {
    await symlink('b', join(src, 'a'));
    await symlink('a', join(src, 'b'));
    const fs = await RootedFs.open(src);
    try {
      await expect(fs.locate('/a/x', { followLast: true })).rejects.toThrow(PathEscapeError);
      await expect(fs.locate('/a/x', { followLast: true })).rejects.toThrow(/too many levels of symbolic links/);
    } finally {
      await fs.close();
    }
  });

  it('mkdirAll follows a symlink to a host directory inside the root, creating it there', async () => {
    await symlink(join(canary, 'dir'), join(src, 'out'));
    const fs = await RootedFs.open(src);
    try {
      await (await fs.mkdirAll('/out/new')).close();
    } finally {
      await fs.close();
    }
    expect((await lstat(join(src, canary, 'dir/new'))).isDirectory()).toBe(true);
  });
});

describe('tree writer against planted symlinks', () => {
  it('a later entry at the name of a symlink an earlier source planted replaces the link', async () => {
    // Source 1 brings `b -> <canary>/file`; source 2 has a file `b`: COPY a/ b /dst/.
    await mkdir(join(src, 'a'));
    await symlink(join(canary, 'file'), join(src, 'a/b'));
    await writeFile(join(src, 'b'), 'from source 2\n');
    await withRoots(async (from, to) => {
      await copy(from, '/a', to, '/dst');
      await copy(from, '/b', to, '/dst/b', { uid: 1234, gid: 1234 });
    });
    expect(await readFile(join(dst, 'dst/b'), 'utf8')).toBe('from source 2\n');
  });

  it('a directory source whose entries go through a planted directory symlink stays in the root, --chown included', async () => {
    await mkdir(join(src, 'a'));
    await symlink(join(canary, 'dir'), join(src, 'a/d'));
    await symlink('../../../../../../../..' + canary, join(src, 'a/up'));
    await mkdir(join(src, 'd'));
    await writeFile(join(src, 'd/inside'), 'replaced?\n');
    await mkdir(join(src, 'up'));
    await writeFile(join(src, 'up/file'), 'over the canary?\n');
    await withRoots(async (from, to) => {
      const owner = { uid: 1234, gid: 1234 };
      const copyStep = async (sources: string[], dest: string, o = { uid: 0, gid: 0 }) =>
        copyIntoRoot(to, { instruction: 'COPY', from, sources: await resolveCopySources(from, sources), dest, owner: o, writtenDirs: new Set() });
      await copyStep(['a'], '/t/');
      // COPY --chown=1234 d/ /t/d/ and up/ /t/up/: the destinations are symlinks, followed inside the root.
      await copyStep(['d/'], '/t/d/', owner);
      await copyStep(['up/'], '/t/up/', owner);
    });
    const inRoot = join(dst, canary, 'dir');
    expect(await readFile(join(inRoot, 'inside'), 'utf8')).toBe('replaced?\n');
    expect((await lstat(inRoot)).uid).toBe(1234);
    expect(await readFile(join(dst, canary, 'file'), 'utf8')).toBe('over the canary?\n');
  });

  it('tar members: `..` is refused, hardlinks only to members of the copy, links through planted symlinks stay inside', async () => {
    await symlink(join(canary, 'dir'), join(dst, 'l'));
    const extract = (entries: Parameters<typeof buildTar>[0]) =>
      withRoots((_from, to) => writeTree(to, '/', readTarEntries(Readable.from([buildTar(entries)]))));
    await extract([{ path: 'l/pwned', body: 'x' }]);
    expect(await readFile(join(dst, canary, 'dir/pwned'), 'utf8')).toBe('x');
    await expect(extract([{ path: '../escape', body: 'x' }])).rejects.toThrow(TarStreamError);
    await expect(extract([{ path: 'a/../../escape', body: 'x' }])).rejects.toThrow(/leads out of the destination/);
    await expect(extract([{ path: 'h', type: 'hardlink', linkpath: join(canary, 'file') }])).rejects.toThrow(TreeWriteError);
    await expect(extract([{ path: 'h2', type: 'hardlink', linkpath: '../../canary/file' }])).rejects.toThrow(/leads out|not part of the copy/);
    await extract([{ path: 'f', body: 'data' }, { path: 'h3', type: 'hardlink', linkpath: 'f' }]);
    expect((await lstat(join(dst, 'h3'))).ino).toBe((await lstat(join(dst, 'f'))).ino);
  });

  it('a symlink member then a file member of the same name replaces the link instead of writing through it', async () => {
    await withRoots((_from, to) =>
      writeTree(to, '/', readTarEntries(Readable.from([buildTar([{ path: 'x', type: 'symlink', linkpath: join(canary, 'file') }, { path: 'x', body: 'over' }])]))),
    );
    expect(await readFile(join(dst, 'x'), 'utf8')).toBe('over');
  });
});

describe('swaps racing the copy (the CVE-2018-15664 class)', () => {
  let swapper: ChildProcess | undefined;
  afterEach(() => {
    swapper?.kill('SIGKILL');
    swapper = undefined;
  });

  it('a directory swapped for a symlink to the host while copying in and out never leads out', async () => {
    // In src and dst, `sw` flips between a real directory and a symlink to the canary.
    const script = (root: string) => `cd ${root} && mkdir -p real && echo in-root > real/f && while :; do mv -T real sw 2>/dev/null; mv -T sw real 2>/dev/null; ln -sfn ${canary}/dir sw 2>/dev/null; rm -f sw 2>/dev/null; done`;
    swapper = spawn('sh', ['-c', `(${script(src)}) & (${script(dst)}) & wait`], { stdio: 'ignore', detached: true });
    await writeFile(join(base, 'payload'), 'payload\n');
    let copiedIn = 0;
    let copiedOut = 0;
    const host = await RootedFs.open('/');
    try {
      await withRoots(async (from, to) => {
        for (let i = 0; i < 300; i++) {
          await writeTree(to, '/sw/payload', readTree(host, join(base, 'payload'), false)).then(() => copiedIn++, () => {});
          await writeTree(host, join(base, `out-${i}`), readTree(from, '/sw', false)).then(() => copiedOut++, () => {});
        }
      });
    } finally {
      await host.close();
      process.kill(-swapper.pid!, 'SIGKILL');
    }
    // Some copies went through (the race was real), and none reached the canary (checked in afterEach).
    expect(copiedIn + copiedOut).toBeGreaterThan(0);
    for (let i = 0; i < 300; i++) {
      const st = await lstat(join(base, `out-${i}`)).catch(() => undefined);
      if (st?.isDirectory()) expect(await readFile(join(base, `out-${i}`, 'inside'), 'utf8').catch(() => 'none')).not.toBe('host file in dir\n');
    }
  }, 60_000);
});

describe('special files', () => {
  it('reads /proc files for their reported size: an endless pagemap copies as 0 bytes, at once', async () => {
    const proc = await RootedFs.open('/proc');
    try {
      const t0 = Date.now();
      const chunks: Buffer[] = [];
      for await (const c of writeTarStream(readTree(proc, `/${process.pid}/task/${process.pid}/pagemap`, false), () => 'pagemap')) chunks.push(c as Buffer);
      const tar = Buffer.concat(chunks);
      expect(tar.length).toBe(512 * 3); // header + end of archive: no data
      expect(Date.now() - t0).toBeLessThan(2000);
      let n = 0;
      for await (const e of readTree(proc, `/${process.pid}`, false)) if (e.kind === 'file') n++;
      expect(n).toBeGreaterThan(10);
    } finally {
      await proc.close();
    }
  });
});

// ---- fuzz ----

describe('fuzz: random trees with hostile symlinks, copied every way', () => {
  it('nothing outside the destination root changes, and every failure is a clean error', async () => {
    const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i);
    let ok = 0;
    for (const seed of seeds) {
      const rand = prng(seed);
      await rm(src, { recursive: true, force: true });
      await rm(dst, { recursive: true, force: true });
      await mkdir(src);
      await mkdir(dst);
      const srcPaths = await randomTree(src, rand, canary);
      const dstPaths = await randomTree(dst, rand, canary);
      const outsideBefore = await snapshotTree(base).then((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('src') && !k.startsWith('dst') && k !== '')));
      const tryIt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
          ok++;
        } catch (err) {
          // A clean, typed error with a message: never a crash of another kind.
          expect(err, `${what} (seed ${seed})`).toBeInstanceOf(Error);
          expect((err as Error).message, `${what} (seed ${seed})`).not.toBe('');
          expect(String((err as Error).message)).not.toMatch(/Cannot read properties|is not a function/);
        }
      };
      await withRoots(async (from, to) => {
        for (const s of ['/', ...srcPaths.slice(0, 8)]) {
          const t = `/${dstPaths[Math.floor(rand() * Math.max(1, dstPaths.length))] ?? 'new'}`;
          await tryIt(`copy ${s} -> ${t}`, () => copy(from, s, to, t, rand() < 0.5 ? { uid: 4242, gid: 4242 } : undefined));
          await tryIt(`tar ${s} -> ${t}`, () => writeTree(to, t, readTarEntries(writeTarStream(readTree(from, s, true), (rel) => rel || '.'))));
          await tryIt(`copy back ${t} -> /back`, () => copy(to, t, from, '/back'));
        }
      });
      const outsideAfter = await snapshotTree(base).then((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('src') && !k.startsWith('dst') && k !== '')));
      expect(outsideAfter, `seed ${seed}`).toEqual(outsideBefore);
    }
    expect(ok).toBeGreaterThan(20);
  }, 120_000);
});
