import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, link, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { collectLayerEntries, layerTarStream, opaqueEntryName, whiteoutEntryName } from '../../src/core/images/layer-tar-writer.js';
import { encodeEntryHeader } from '../../src/core/fs/tar-header.js';

describe('whiteout entry names', () => {
  it('puts .wh. before the last path element', () => {
    expect(whiteoutEntryName('etc/motd')).toBe('etc/.wh.motd');
    expect(whiteoutEntryName('x')).toBe('.wh.x');
    expect(whiteoutEntryName('opt/app/data')).toBe('opt/app/.wh.data');
  });
  it('marks an opaque directory with .wh..wh..opq inside it', () => {
    expect(opaqueEntryName('opt/app/bin')).toBe('opt/app/bin/.wh..wh..opq');
  });
});

/** Reads a tar back with node-tar's parser: names, types, link targets, sizes and bodies. */
async function readTar(buf: Buffer): Promise<{ path: string; type: string; linkpath?: string; size: number; mode?: number; body: string }[]> {
  const out: { path: string; type: string; linkpath?: string; size: number; mode?: number; body: string }[] = [];
  const parser = new Parser();
  parser.on('entry', (e: ReadEntry) => {
    let body = '';
    e.on('data', (d: Buffer) => (body += d.toString()));
    e.on('end', () => out.push({ path: e.path, type: e.type, linkpath: e.linkpath || undefined, size: e.size, mode: e.mode, body }));
  });
  await new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.end(buf);
  });
  return out;
}

async function tarOf(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of layerTarStream(await collectLayerEntries(dir), dir)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('layer tar of a plain directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layer-tar-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists entries depth first in byte order, with hardlinks, symlinks and modes', async () => {
    await mkdir(join(dir, 'b/sub'), { recursive: true });
    await writeFile(join(dir, 'b/sub/file'), 'hello');
    await writeFile(join(dir, 'B'), 'upper');
    await link(join(dir, 'b/sub/file'), join(dir, 'c-hard'));
    await symlink('../b/sub/file', join(dir, 'a-link'));
    await chmod(join(dir, 'B'), 0o4755);
    const entries = await readTar(await tarOf(dir));
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['B', 'File'],
      ['a-link', 'SymbolicLink'],
      ['b/', 'Directory'],
      ['b/sub/', 'Directory'],
      ['b/sub/file', 'File'],
      ['c-hard', 'Link'],
    ]);
    expect(entries.find((e) => e.path === 'B')!.mode).toBe(0o4755);
    expect(entries.find((e) => e.path === 'b/sub/file')!.body).toBe('hello');
    expect(entries.find((e) => e.path === 'a-link')!.linkpath).toBe('../b/sub/file');
    expect(entries.find((e) => e.path === 'c-hard')!.linkpath).toBe('b/sub/file');
  });

  it('gives the same bytes for the same tree', async () => {
    await writeFile(join(dir, 'f'), 'x');
    await utimes(join(dir, 'f'), 1000, 1000);
    expect((await tarOf(dir)).equals(await tarOf(dir))).toBe(true);
  });

  it('is empty for an empty or missing directory', async () => {
    expect(await collectLayerEntries(dir)).toEqual([]);
    expect(await collectLayerEntries(join(dir, 'nope'))).toEqual([]);
  });

  it('writes long names through a pax header', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const header = encodeEntryHeader({ name: long, type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), size: 0 });
    expect(header.length).toBeGreaterThan(512);
    const entries = await readTar(Buffer.concat([header, Buffer.alloc(1024)]));
    expect(entries.map((e) => e.path)).toEqual([long]);
  });
});
