// cp's path resolution and copy rules on real temp directories (no container needed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerFs } from '../../src/core/runtime/container-fs.js';
import { containerDestination, containerSource, copyResource, localDestination as localDest, localSource as localSrc, openHostFs, splitCpArg } from '../../src/core/runtime/container-copy.js';
import { release, RootedFs } from '../../src/core/fs/rooted-fs.js';

let dir: string;
let root: string;
let vol: string;
let host: string;
let fs: ContainerFs;
let hostFs: RootedFs;
const localDestination = (p: string) => localDest(hostFs, p);
const localSource = (p: string, follow: boolean) => localSrc(hostFs, p, follow);
/** Where a path resolves in the container, and whether it is writable. */
async function resolved(p: string, followLast: boolean): Promise<{ path: string; readOnly?: string }> {
  const loc = await fs.fs.locate(p, { followLast });
  await release(loc);
  return { path: loc.path, readOnly: fs.readOnlyReason(loc.path) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-cpfs-'));
  root = join(dir, 'rootfs');
  vol = join(dir, 'vol');
  host = join(dir, 'host');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'data'), { recursive: true });
  await mkdir(join(root, 'ro'), { recursive: true });
  await mkdir(vol);
  await mkdir(host);
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0\n');
  await writeFile(join(vol, 'in-volume'), 'vol\n');
  await symlink('/etc', join(root, 'etclink'));
  await symlink('../../../../../../etc/passwd', join(root, 'escape'));
  await symlink('/data/in-volume', join(root, 'tovol'));
  await mkdir(join(dir, 'rosrc'));
  fs = new ContainerFs(await RootedFs.open(root, [{ destination: '/data', source: vol, readOnly: false }, { destination: '/ro', source: join(dir, 'rosrc'), readOnly: true }]), false);
  hostFs = await openHostFs();
});

afterAll(async () => {
  await fs.fs.close();
  await hostFs.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ContainerFs paths', () => {
  it('follows symlinks inside the container root, never out of it', async () => {
    expect((await resolved('/etclink/passwd', true)).path).toBe('/etc/passwd');
    expect((await resolved('/escape', true)).path).toBe('/etc/passwd');
    expect((await resolved('../../..//etc', true)).path).toBe('/etc');
  });
  it('keeps a final symlink unless asked to follow it', async () => {
    expect((await resolved('/etclink', false)).path).toBe('/etclink');
  });
  it('maps mounted volumes, also through symlinks', async () => {
    expect((await resolved('/tovol', true)).path).toBe('/data/in-volume');
    expect(await resolved('/ro/x', true)).toEqual({ path: '/ro/x', readOnly: 'mounted volume is marked read-only' });
    const host = join(dir, 'host', 'fromvol');
    await copyResource(await containerSource(fs, 'c', '/tovol', true), await localDestination(host), undefined);
    expect(await readFile(host, 'utf8')).toBe('vol\n');
  });
});

describe('docker cp rules', () => {
  it('CONTAINER:PATH vs local paths', () => {
    expect(splitCpArg('c:/etc')).toEqual({ container: 'c', path: '/etc' });
    expect(splitCpArg('/tmp/a:b')).toEqual({ path: '/tmp/a:b' });
    expect(splitCpArg('./a:b')).toEqual({ path: './a:b' });
    expect(splitCpArg('plain')).toEqual({ path: 'plain' });
  });

  it('a missing source is Docker\'s "Could not find the file"', async () => {
    await expect(containerSource(fs, 'web', '/nope', false)).rejects.toThrow('Could not find the file /nope in container web');
  });

  it('file into a directory, file to a new name, file over a file', async () => {
    const src = await containerSource(fs, 'c', '/etc/passwd', false);
    await copyResource(src, await localDestination(host), undefined);
    expect(await readFile(join(host, 'passwd'), 'utf8')).toBe('root:x:0:0\n');
    await copyResource(src, await localDestination(join(host, 'renamed')), undefined);
    expect(await readFile(join(host, 'renamed'), 'utf8')).toBe('root:x:0:0\n');
    await writeFile(join(host, 'over'), 'old');
    await copyResource(src, await localDestination(join(host, 'over')), undefined);
    expect(await readFile(join(host, 'over'), 'utf8')).toBe('root:x:0:0\n');
  });

  it('directory: into an existing one, as a new one, contents only with /.', async () => {
    const src = await containerSource(fs, 'c', '/etc', false);
    await mkdir(join(host, 'd1'));
    await copyResource(src, await localDestination(join(host, 'd1')), undefined);
    expect(await readdir(join(host, 'd1/etc'))).toEqual(['passwd']);
    await copyResource(src, await localDestination(join(host, 'd2')), undefined);
    expect(await readdir(join(host, 'd2'))).toEqual(['passwd']);
    await mkdir(join(host, 'd3'));
    await copyResource(await containerSource(fs, 'c', '/etc/.', false), await localDestination(join(host, 'd3')), undefined);
    expect(await readdir(join(host, 'd3'))).toEqual(['passwd']);
  });

  it('a symlink source is copied as a link, or its target with -L (under the link\'s name)', async () => {
    await copyResource(await containerSource(fs, 'c', '/etclink', false), await localDestination(join(host, 'l1')), undefined);
    expect((await lstat(join(host, 'l1'))).isSymbolicLink()).toBe(true);
    await mkdir(join(host, 'l2'));
    await copyResource(await containerSource(fs, 'c', '/etclink', true), await localDestination(join(host, 'l2')), undefined);
    expect(await readdir(join(host, 'l2/etclink'))).toEqual(['passwd']);
  });

  it('errors: a directory over a file, a file to a missing dir/, a missing parent', async () => {
    const d = await containerSource(fs, 'c', '/etc', false);
    await writeFile(join(host, 'afile'), 'x');
    await expect(copyResource(d, await localDestination(join(host, 'afile')), undefined)).rejects.toThrow('cannot copy directory');
    const f = await containerSource(fs, 'c', '/etc/passwd', false);
    await expect(copyResource(f, await localDestination(join(host, 'newdir/')), undefined)).rejects.toThrow('no such directory');
    await expect(localDestination(join(host, 'no/such/parent'))).rejects.toThrow(/no such file or directory/);
    await expect(localSource(join(host, 'missing'), false)).rejects.toThrow(`lstat ${join(host, 'missing')}: no such file or directory`);
  });

  it('into the container: owner set, read-only mounts refused, missing parent reported', async () => {
    await writeFile(join(host, 'up.txt'), 'up\n');
    const src = await localSource(join(host, 'up.txt'), false);
    await copyResource(src, await containerDestination(fs, 'c', '/data/'), { uid: 1234, gid: 4321 });
    const st = await lstat(join(vol, 'up.txt'));
    expect([st.uid, st.gid]).toEqual([1234, 4321]);
    await expect(containerDestination(fs, 'c', '/ro/x')).rejects.toThrow('mounted volume is marked read-only');
    await expect(containerDestination(fs, 'c', '/nowhere/x')).rejects.toThrow('Could not find the file /nowhere in container c');
    const roRoot = new ContainerFs(await RootedFs.open(root), true);
    await expect(containerDestination(roRoot, 'c', '/etc/x')).rejects.toThrow('container rootfs is marked read-only');
    await roRoot.fs.close();
  });
});
