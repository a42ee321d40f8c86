import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Header } from 'tar';
import { unpackLayer as unpackWith, UnsafeLayerEntryError, type WhiteoutConverter } from '../../src/core/images/layer-unpack.js';
import { overlayWhiteouts } from '../../src/core/images/overlay-whiteouts.js';
import { buildTar, DEFAULT_MTIME, type TarEntry } from '../helpers/tar-builder.js';

const execFileP = promisify(execFile);

// Needs root: chown, mknod, trusted.* xattrs, mount.
let root: string;
let caseNo = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tsdock-layer-unpack-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** <case>/layer (the empty dest) beside <case>/sentinel/secret, which must never change. */
async function scratch(): Promise<{ dir: string; dest: string; sentinel: string }> {
  const dir = join(root, `case-${++caseNo}`);
  const dest = join(dir, 'layer');
  const sentinel = join(dir, 'sentinel');
  await mkdir(dest, { recursive: true });
  await mkdir(sentinel);
  await writeFile(join(sentinel, 'secret'), 'secret');
  return { dir, dest, sentinel };
}

/** Feeds data in chunks of odd size so entries straddle chunk boundaries. */
function streamOf(data: Buffer, chunkSize = 7777): Readable & { bytesRead: () => number } {
  let offset = 0;
  const stream = new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
  return Object.assign(stream, { bytesRead: () => Math.min(offset, data.length) });
}

/** As the layer store unpacks: whiteouts become overlayfs ones. */
const unpackLayer = (tar: Readable, dest: string) => unpackWith(tar, dest, { convertWhiteout: overlayWhiteouts() });
const unpack = (entries: TarEntry[], dest: string) => unpackLayer(streamOf(buildTar(entries)), dest);

/** Linux's encoding of st_rdev. */
const makedev = (major: number, minor: number) =>
  ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);
const mode = async (p: string) => (await lstat(p)).mode & 0o7777;
const getfattr = async (p: string, name: string) =>
  (await execFileP('getfattr', ['-h', '--only-values', '-n', name, p])).stdout;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    out.push(d.name);
    if (d.isDirectory()) out.push(...(await walk(join(dir, d.name))).map((n) => `${d.name}/${n}`));
  }
  return out.sort();
}

describe('unpackLayer: faithful extraction', () => {
  it('keeps modes (setuid, setgid, sticky, no umask), owners and mtimes; creates missing parents 0755', async () => {
    const { dest } = await scratch();
    const oldUmask = process.umask(0o077); // must not leak into the result
    try {
      const stats = await unpack(
        [
          { path: 'bin/su', mode: 0o4755, body: '#!/bin/su' }, // bin/ is not in the tar
          { path: 'usr/bin/wall', mode: 0o2755, gid: 5, body: 'wall' },
          { path: 'tmp/', type: 'dir', mode: 0o1777 },
          { path: 'home/user/notes.txt', mode: 0o600, uid: 1000, gid: 1000, body: 'hi', mtime: 1_600_000_000 },
          // a directory entry after the files inside it
          { path: 'home/user/', type: 'dir', mode: 0o750, uid: 1000, gid: 1000, mtime: 1_500_000_000 },
          { path: 'ro/', type: 'dir', mode: 0o555 },
          { path: 'ro/open', mode: 0o666, body: 'x' },
        ],
        dest,
      );
      expect(stats).toEqual({ files: 7, whiteouts: 0, opaqueDirs: 0 });
    } finally {
      process.umask(oldUmask);
    }
    expect(await mode(join(dest, 'bin/su'))).toBe(0o4755);
    expect(await mode(join(dest, 'bin'))).toBe(0o755);
    expect(await mode(join(dest, 'usr/bin/wall'))).toBe(0o2755);
    expect((await stat(join(dest, 'usr/bin/wall'))).gid).toBe(5);
    expect(await mode(join(dest, 'tmp'))).toBe(0o1777);
    expect(await mode(join(dest, 'ro'))).toBe(0o555);
    expect(await mode(join(dest, 'ro/open'))).toBe(0o666);
    const notes = await stat(join(dest, 'home/user/notes.txt'));
    expect([notes.uid, notes.gid, notes.mode & 0o7777]).toEqual([1000, 1000, 0o600]);
    expect(notes.mtimeMs).toBe(1_600_000_000_000);
    expect(await readFile(join(dest, 'home/user/notes.txt'), 'utf8')).toBe('hi');
    const user = await stat(join(dest, 'home/user'));
    expect([user.uid, user.gid, user.mode & 0o7777]).toEqual([1000, 1000, 0o750]);
    expect(user.mtimeMs).toBe(1_500_000_000_000); // set after its children were written
    expect((await stat(join(dest, 'ro'))).mtimeMs).toBe(DEFAULT_MTIME * 1000);
    expect(await readFile(join(dest, 'bin/su'), 'utf8')).toBe('#!/bin/su');
  });

  it('keeps symlink targets verbatim and hardlinks share the inode; absolute names land inside', async () => {
    const { dest } = await scratch();
    await unpack(
      [
        { path: 'etc/', type: 'dir' },
        { path: 'etc/os-release', body: 'ID=test\n' },
        { path: 'etc/rel', type: 'symlink', linkpath: 'os-release', uid: 1000, gid: 1000 },
        { path: 'etc/abs', type: 'symlink', linkpath: '/usr/lib/os-release' },
        { path: 'etc/up', type: 'symlink', linkpath: '../../../..' },
        { path: 'etc/hard', type: 'hardlink', linkpath: 'etc/os-release' },
        { path: '/abs/path', body: 'abs' },
        { path: '/abs/hard', type: 'hardlink', linkpath: '/etc/os-release' },
      ],
      dest,
    );
    expect(await readlink(join(dest, 'etc/rel'))).toBe('os-release');
    expect(await readlink(join(dest, 'etc/abs'))).toBe('/usr/lib/os-release');
    expect(await readlink(join(dest, 'etc/up'))).toBe('../../../..');
    expect((await lstat(join(dest, 'etc/rel'))).uid).toBe(1000);
    const [orig, hard, hard2] = await Promise.all(
      ['etc/os-release', 'etc/hard', 'abs/hard'].map((p) => stat(join(dest, p))),
    );
    expect(hard!.ino).toBe(orig!.ino);
    expect(hard2!.ino).toBe(orig!.ino);
    expect(orig!.nlink).toBe(3);
    expect(await readFile(join(dest, 'abs/path'), 'utf8')).toBe('abs');
  });

  it('creates FIFOs and device nodes with mknod', async () => {
    const { dest } = await scratch();
    const stats = await unpack(
      [
        { path: 'dev/', type: 'dir' },
        { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
        { path: 'dev/loop0', type: 'block', mode: 0o660, gid: 6, devmajor: 7, devminor: 300 },
        { path: 'run/pipe', type: 'fifo', mode: 0o620, uid: 1000, gid: 1000, mtime: 1_234_567_890 },
        { path: 'dev/null2', type: 'hardlink', linkpath: 'dev/null' }, // forces the batch out first
      ],
      dest,
    );
    expect(stats.files).toBe(5);
    const nul = await lstat(join(dest, 'dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect([nul.rdev, nul.mode & 0o7777]).toEqual([makedev(1, 3), 0o666]);
    expect((await lstat(join(dest, 'dev/null2'))).ino).toBe(nul.ino);
    const loop = await lstat(join(dest, 'dev/loop0'));
    expect(loop.isBlockDevice()).toBe(true);
    expect([loop.rdev, loop.mode & 0o7777, loop.gid]).toEqual([makedev(7, 300), 0o660, 6]);
    const pipe = await lstat(join(dest, 'run/pipe'));
    expect(pipe.isFIFO()).toBe(true);
    expect([pipe.mode & 0o7777, pipe.uid, pipe.gid, pipe.mtimeMs]).toEqual([0o620, 1000, 1000, 1_234_567_890_000]);
  });

  it('reads device numbers from GNU-format headers too (node-tar alone leaves them 0/0)', async () => {
    const { dest } = await scratch();
    const entry: TarEntry = { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 };
    await unpackLayer(streamOf(buildTar([entry], { gnu: true })), dest);
    expect((await lstat(join(dest, 'dev/null'))).rdev).toBe(makedev(1, 3));
  });

  it('frames GNU-format tars as node-tar does: data blocks, pax and long names before the devices', async () => {
    const { dest } = await scratch();
    const longDir = `dev/${'d'.repeat(120)}`;
    const data = randomBytes(5000);
    const entries: TarEntry[] = [
      { path: 'big.bin', body: data },
      { path: 'inner.tar', body: buildTar([{ path: 'dev/fake', type: 'char', devmajor: 9, devminor: 9 }], { gnu: true }) },
      { path: `${longDir}/tty`, type: 'char', mode: 0o620, devmajor: 4, devminor: 1 },
      { path: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0, pax: { mtime: '1234567890' } },
      { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
    ];
    for (const chunk of [7777, 100, 512]) {
      const d = join(dest, String(chunk));
      await mkdir(d);
      await unpackLayer(streamOf(buildTar(entries, { gnu: true }), chunk), d);
      expect(await readFile(join(d, 'big.bin'))).toEqual(data);
      expect((await lstat(join(d, longDir, 'tty'))).rdev).toBe(makedev(4, 1));
      expect((await lstat(join(d, 'dev/sda'))).rdev).toBe(makedev(8, 0));
      expect((await lstat(join(d, 'dev/null'))).rdev).toBe(makedev(1, 3));
    }
  });

  it('leaves node-tar as it is for the rest of the process', async () => {
    const { dest } = await scratch();
    const tar = buildTar([{ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3 }], { gnu: true });
    await unpackLayer(streamOf(tar), dest);
    // node-tar's own decoding of a GNU device header, unchanged by the unpack above.
    expect(new Header(tar.subarray(0, 512)).devmaj).toBe(0);
  });

  it('writes .wh. entries as plain files when given no whiteout converter', async () => {
    const { dest } = await scratch();
    const stats = await unpackWith(streamOf(buildTar([{ path: 'etc/.wh.passwd' }, { path: 'var/.wh..wh..opq' }])), dest);
    expect(stats).toEqual({ files: 2, whiteouts: 0, opaqueDirs: 0 });
    expect((await lstat(join(dest, 'etc/.wh.passwd'))).isFile()).toBe(true);
    expect((await lstat(join(dest, 'var/.wh..wh..opq'))).isFile()).toBe(true);
  });

  it('hands whiteouts to the converter, keeping the layer rules (its own entries win, a recreated dir is opaque)', async () => {
    const { dest } = await scratch();
    const made: string[] = [];
    let opaque: string[] = [];
    const markerFiles: WhiteoutConverter = {
      async whiteout(abs) {
        made.push(abs.slice(dest.length + 1));
        await writeFile(abs, 'deleted');
      },
      async opaque(dirs) {
        opaque = dirs.map((d) => d.slice(dest.length + 1)).sort();
      },
    };
    const tar = buildTar([
      { path: 'kept', body: 'mine' },
      { path: '.wh.kept' }, // this layer has it: the whiteout only hides the layers below
      { path: '.wh.gone' },
      { path: '.wh.re' },
      { path: 're/new', body: 'new' },
      { path: 'var/.wh..wh..opq' },
    ]);
    const stats = await unpackWith(streamOf(tar), dest, { convertWhiteout: markerFiles });
    expect(made).toEqual(['gone', 're']);
    expect(opaque).toEqual(['re', 'var']);
    expect(stats).toMatchObject({ whiteouts: 2, opaqueDirs: 2 });
    expect(await readFile(join(dest, 'kept'), 'utf8')).toBe('mine');
    expect(await readFile(join(dest, 'gone'), 'utf8')).toBe('deleted');
    expect(await readFile(join(dest, 're/new'), 'utf8')).toBe('new');
  });

  it('turns .wh.NAME into a 0/0 char device and .wh..wh..opq into trusted.overlay.opaque=y', async () => {
    const { dest } = await scratch();
    const stats = await unpack(
      [
        { path: 'etc/.wh.passwd' }, // etc/ itself is not in the tar
        { path: '.wh.rootfile' },
        { path: 'var/cache/.wh..wh..opq' },
        { path: 'var/cache/keep', body: 'k' },
      ],
      dest,
    );
    expect(stats).toEqual({ files: 1, whiteouts: 2, opaqueDirs: 1 });
    for (const p of ['etc/passwd', 'rootfile']) {
      const st = await stat(join(dest, p));
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe(0);
    }
    expect(await getfattr(join(dest, 'var/cache'), 'trusted.overlay.opaque')).toBe('y');
    expect(await walk(dest)).toEqual(['etc', 'etc/passwd', 'rootfile', 'var', 'var/cache', 'var/cache/keep']);
  });

  it('applies whiteouts to lower layers only: content of the same layer wins', async () => {
    const { dest } = await scratch();
    const stats = await unpack(
      [
        { path: 'a/b', body: 'mine' },
        { path: 'a/.wh.b' }, // after the file: ignored
        { path: 'a/.wh.c' }, // before a directory of the same name: that directory becomes opaque
        { path: 'a/c/x', body: 'x' },
        { path: 'a/.wh.d' },
        { path: 'a/d', body: 'file replaces the whiteout' },
        { path: 'a/e/x', body: 'x' },
        { path: 'a/.wh.e' }, // after a directory of this layer: that directory becomes opaque
        { path: 'a/.wh.f' }, // must not be linked to a/d, the replaced first whiteout
      ],
      dest,
    );
    expect(await readFile(join(dest, 'a/b'), 'utf8')).toBe('mine');
    expect((await lstat(join(dest, 'a/c'))).isDirectory()).toBe(true);
    expect(await getfattr(join(dest, 'a/c'), 'trusted.overlay.opaque')).toBe('y');
    expect((await lstat(join(dest, 'a/d'))).isFile()).toBe(true);
    expect((await lstat(join(dest, 'a/d'))).nlink).toBe(1);
    expect((await lstat(join(dest, 'a/f'))).isCharacterDevice()).toBe(true);
    expect(await getfattr(join(dest, 'a/e'), 'trusted.overlay.opaque')).toBe('y');
    expect(await walk(join(dest, 'a'))).toEqual(['b', 'c', 'c/x', 'd', 'e', 'e/x', 'f']);
    expect(stats).toEqual({ files: 4, whiteouts: 3, opaqueDirs: 2 }); // c and d were created, then replaced
  });

  it('accepts a missing end-of-archive trailer (umoci whiteout layers) and empty layers', async () => {
    const { dest } = await scratch();
    const data = buildTar([{ path: 'x/.wh.gone' }, { path: 'x/here', body: 'here' }], { trailer: false });
    const input = streamOf(data, 100);
    expect(await unpackLayer(input, dest)).toEqual({ files: 1, whiteouts: 1, opaqueDirs: 0 });
    expect(input.bytesRead()).toBe(data.length);
    expect(await readFile(join(dest, 'x/here'), 'utf8')).toBe('here');

    for (const empty of [Buffer.alloc(1024), Buffer.alloc(0)]) {
      const { dest: d } = await scratch();
      expect(await unpackLayer(streamOf(empty), d)).toEqual({ files: 0, whiteouts: 0, opaqueDirs: 0 });
      expect(await readdir(d)).toEqual([]);
    }
  });

  it('reads trailing data after the trailer to the end without parsing it', async () => {
    const { dest } = await scratch();
    const data = Buffer.concat([buildTar([{ path: 'f', body: 'f' }]), randomBytes(3 << 20)]);
    const input = streamOf(data, 65536);
    await unpackLayer(input, dest);
    expect(input.bytesRead()).toBe(data.length);
    expect(input.readableEnded).toBe(true);
    expect(await walk(dest)).toEqual(['f']);
  });

  it('streams large files intact across odd chunk boundaries', async () => {
    const { dest } = await scratch();
    const big = randomBytes((5 << 20) + 123);
    await unpackLayer(
      streamOf(buildTar([{ path: 'big.bin', body: big }, { path: 'small', body: 's' }]), 12_345),
      dest,
    );
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(join(dest, 'big.bin')))).toBe(sha(big));
    expect(await readFile(join(dest, 'small'), 'utf8')).toBe('s');
  });

  it('round-trips many files of random sizes fed in random chunk sizes', async () => {
    const { dest } = await scratch();
    const files = Array.from({ length: 300 }, (_, i) => ({
      path: `d${i % 7}/f${i}`,
      body: randomBytes(i % 50 === 0 ? 1_500_000 + i : Math.floor(Math.random() * 40_000)),
    }));
    const data = buildTar(files);
    let offset = 0;
    const input = new Readable({
      read() {
        if (offset >= data.length) return void this.push(null);
        const n = 1 + Math.floor(Math.random() * 200_000);
        this.push(data.subarray(offset, offset + n));
        offset += n;
      },
    });
    expect((await unpackLayer(input, dest)).files).toBe(300);
    for (const f of files) expect((await readFile(join(dest, f.path))).equals(f.body)).toBe(true);
  });

  it('rejects a tar cut short inside a file body', async () => {
    const { dest } = await scratch();
    const data = buildTar([{ path: 'a', body: 'a' }, { path: 'big', body: randomBytes(300_000) }]);
    const err = await unpackLayer(streamOf(data.subarray(0, 200_000)), dest).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/corrupt layer tar: Truncated input/);
  });

  it('rejects with the error of the input stream', async () => {
    const { dest } = await scratch();
    const data = buildTar([{ path: 'big', body: randomBytes(300_000) }]);
    let sent = false;
    const input = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(data.subarray(0, 100_000));
        } else {
          this.destroy(new Error('digest mismatch upstream'));
        }
      },
    });
    await expect(unpackLayer(input, dest)).rejects.toThrow('digest mismatch upstream');
  });

  it('rejects a corrupt header (garbage without a trailer) as a plain error', async () => {
    const { dest } = await scratch();
    const data = Buffer.concat([buildTar([{ path: 'f', body: 'f' }], { trailer: false }), randomBytes(4096)]);
    const err = await unpackLayer(streamOf(data), dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UnsafeLayerEntryError);
    expect((err as Error).message).toMatch(/corrupt layer tar/);
  });
});

describe('unpackLayer: refuses entries that would write outside the layer', () => {
  const evilAbs = join(tmpdir(), `tsdock-evil-${process.pid}-${Date.now()}`);
  const cases: Array<{ title: string; entries: TarEntry[]; entry: string; reason: RegExp }> = [
    { title: '../escape', entries: [{ path: '../escape', body: 'x' }], entry: '../escape', reason: /escapes/ },
    {
      title: 'a/../../escape',
      entries: [{ path: 'a/', type: 'dir' }, { path: 'a/../../escape', body: 'x' }],
      entry: 'a/../../escape',
      reason: /escapes/,
    },
    {
      title: 'write through a symlink to /',
      entries: [
        { path: 'link', type: 'symlink', linkpath: '/' },
        { path: `link${evilAbs}`, body: 'x' },
      ],
      entry: `link${evilAbs}`,
      reason: /goes through symlink "link"/,
    },
    {
      title: 'write through a symlink to ../sentinel',
      entries: [
        { path: 'd/link', type: 'symlink', linkpath: '../../sentinel' },
        { path: 'd/link/evil', body: 'x' },
      ],
      entry: 'd/link/evil',
      reason: /goes through symlink "d\/link"/,
    },
    {
      title: 'directory through a hardlinked symlink',
      entries: [
        { path: 'link', type: 'symlink', linkpath: '../sentinel' },
        { path: 'link2', type: 'hardlink', linkpath: 'link' },
        { path: 'link2/sub/', type: 'dir' },
      ],
      entry: 'link2/sub/',
      reason: /goes through symlink "link2"/,
    },
    {
      title: 'hardlink to ../../etc/passwd',
      entries: [{ path: 'passwd', type: 'hardlink', linkpath: '../../etc/passwd' }],
      entry: 'passwd',
      reason: /hardlink target "..\/..\/etc\/passwd" escapes/,
    },
    {
      title: 'hardlink through a symlink',
      entries: [
        { path: 'link', type: 'symlink', linkpath: '../sentinel' },
        { path: 'stolen', type: 'hardlink', linkpath: 'link/secret' },
      ],
      entry: 'stolen',
      reason: /hardlink target "link\/secret" goes through symlink "link"/,
    },
    { title: 'whiteout ../.wh.x', entries: [{ path: '../.wh.x' }], entry: '../.wh.x', reason: /escapes/ },
    {
      title: 'whiteout through a symlink',
      entries: [
        { path: 'link', type: 'symlink', linkpath: '../sentinel' },
        { path: 'link/.wh.secret' },
      ],
      entry: 'link/.wh.secret',
      reason: /goes through symlink/,
    },
    {
      title: 'opaque marker through a symlink',
      entries: [
        { path: 'link', type: 'symlink', linkpath: '../sentinel' },
        { path: 'link/.wh..wh..opq' },
      ],
      entry: 'link/.wh..wh..opq',
      reason: /goes through symlink/,
    },
    {
      title: 'NUL in a pax path',
      entries: [{ path: 'innocent', pax: { path: 'innocent\0/../../escape' }, body: 'x' }],
      entry: 'innocent\0/../../escape',
      reason: /NUL/,
    },
    {
      title: 'a file replacing the layer root',
      entries: [{ path: '.', body: 'x' }],
      entry: '.',
      reason: /would replace the layer directory/,
    },
  ];

  it.each(cases)('$title', async ({ entries, entry, reason }) => {
    const { dir, dest, sentinel } = await scratch();
    // More data after the bad entry: unpacking must stop, and must not hang on the unread input.
    const input = streamOf(buildTar([...entries, { path: 'after', body: randomBytes(2 << 20) }]));
    const err = await unpackLayer(input, dest).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UnsafeLayerEntryError);
    const unsafe = err as UnsafeLayerEntryError;
    expect(unsafe.entry).toBe(entry);
    expect(unsafe.message).toContain(JSON.stringify(entry));
    expect(unsafe.message).toMatch(reason);
    expect(input.destroyed).toBe(true);
    expect(existsSync(join(dest, 'after'))).toBe(false);
    // nothing outside dest
    expect((await readdir(dir)).sort()).toEqual(['layer', 'sentinel']);
    expect(await readdir(sentinel)).toEqual(['secret']);
    expect(await readFile(join(sentinel, 'secret'), 'utf8')).toBe('secret');
    expect((await lstat(join(sentinel, 'secret'))).nlink).toBe(1);
    await expect(getfattr(sentinel, 'trusted.overlay.opaque')).rejects.toThrow();
    expect(existsSync(evilAbs)).toBe(false);
  });
});

describe('unpackLayer: overlayfs', () => {
  it('stacked layers hide whited-out files and show only the upper files of opaque dirs', async () => {
    const { dir } = await scratch();
    const [l1, l2, mnt] = ['l1', 'l2', 'mnt'].map((n) => join(dir, n)) as [string, string, string];
    await Promise.all([mkdir(l1), mkdir(l2), mkdir(mnt)]);
    await unpack(
      [
        { path: 'keep.txt', body: 'keep' },
        { path: 'gone.txt', body: 'gone' },
        { path: 'dir/old.txt', body: 'old' },
        { path: 'dir/sub/old2.txt', body: 'old2' },
        { path: 'shared/a', body: 'a' },
        { path: 're/old', body: 'old' },
      ],
      l1,
    );
    await unpack(
      [
        { path: '.wh.gone.txt' },
        { path: 'dir/.wh..wh..opq' },
        { path: 'dir/new.txt', body: 'new' },
        { path: 'shared/.wh.a' },
        { path: 'shared/b', body: 'b' },
        { path: 'added.txt', body: 'added' },
        { path: '.wh.re' }, // removed, then recreated in the same layer
        { path: 're/new', body: 'new' },
      ],
      l2,
    );
    await execFileP('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${l2}:${l1}`, mnt]);
    try {
      expect((await readdir(mnt)).sort()).toEqual(['added.txt', 'dir', 'keep.txt', 're', 'shared']);
      expect(await readdir(join(mnt, 're'))).toEqual(['new']);
      expect(existsSync(join(mnt, 'gone.txt'))).toBe(false);
      expect(await readdir(join(mnt, 'dir'))).toEqual(['new.txt']);
      expect((await readdir(join(mnt, 'shared'))).sort()).toEqual(['b']);
      expect(await readFile(join(mnt, 'keep.txt'), 'utf8')).toBe('keep');
    } finally {
      await execFileP('umount', [mnt]);
    }
  });
});
