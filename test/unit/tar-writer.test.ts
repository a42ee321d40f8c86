import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Parser, type ReadEntry } from 'tar';
import { TarWriter, tarHeader } from '../../src/core/images/tar-writer.js';

function sink(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c);
        cb();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

/** Parses with node-tar (an independent reader): path, type, size and content of every entry. */
async function entries(data: Buffer): Promise<{ path: string; type: string; size: number; body: string }[]> {
  const out: { path: string; type: string; size: number; body: string }[] = [];
  const warnings: string[] = [];
  await new Promise<void>((resolve) => {
    const p = new Parser({ onwarn: (_c: string, m: string) => warnings.push(m) });
    p.on('entry', (e: ReadEntry) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => out.push({ path: e.path, type: e.type, size: e.size ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    p.on('end', resolve);
    p.end(data);
  });
  expect(warnings).toEqual([]);
  return out;
}

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('TarWriter', () => {
  it('writes directories, files and streamed files that a tar reader reads back', async () => {
    const s = sink();
    const tar = new TarWriter(s.stream);
    await tar.directory('blobs');
    await tar.file('manifest.json', Buffer.from('[]'));
    await tar.fileFrom('blobs/layer.tar', 11, chunks('hello ', 'world'));
    await tar.file('empty', Buffer.alloc(0));
    await tar.finish();
    const data = s.bytes();
    expect(data.length % 512).toBe(0);
    expect(data.subarray(-1024).equals(Buffer.alloc(1024))).toBe(true);
    expect(await entries(data)).toEqual([
      { path: 'blobs/', type: 'Directory', size: 0, body: '' },
      { path: 'manifest.json', type: 'File', size: 2, body: '[]' },
      { path: 'blobs/layer.tar', type: 'File', size: 11, body: 'hello world' },
      { path: 'empty', type: 'File', size: 0, body: '' },
    ]);
  });

  it('refuses a stream longer or shorter than announced', async () => {
    await expect(new TarWriter(sink().stream).fileFrom('x', 3, chunks('four'))).rejects.toThrow('x is longer than the 3 bytes announced for it');
    await expect(new TarWriter(sink().stream).fileFrom('x', 9, chunks('four'))).rejects.toThrow('x ended after 4 of the 9 bytes announced for it');
  });

  it('splits names longer than 100 bytes into prefix and name', async () => {
    const long = `${'d'.repeat(80)}/${'f'.repeat(70)}`;
    const s = sink();
    const tar = new TarWriter(s.stream);
    await tar.file(long, Buffer.from('x'));
    await tar.finish();
    expect((await entries(s.bytes()))[0]!.path).toBe(long);
  });

  it('writes sizes over 8 GiB in base-256', () => {
    const blocks = tarHeader('big', '0', 9 * 1024 ** 3, 0o644);
    const h = blocks.subarray(-512); // the ustar block (node-tar also puts the size in a PAX header before it)
    expect(h[124]).toBe(0x80);
    expect(h.readBigUInt64BE(128)).toBe(BigInt(9 * 1024 ** 3));
  });
});

describe('tarHeader with long paths', () => {
  it('puts a PAX header in front of a path that ustar cannot hold', async () => {
    const long = `${'d'.repeat(200)}/${'f'.repeat(120)}`;
    const s = sink();
    const tar = new TarWriter(s.stream);
    await tar.file(long, Buffer.from('x'));
    await tar.finish();
    expect((await entries(s.bytes()))[0]).toMatchObject({ path: long, body: 'x' });
  });
});
