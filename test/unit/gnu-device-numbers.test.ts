import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GnuDeviceNumbers } from '../../src/core/images/gnu-device-numbers.js';
import { buildTar, type TarEntry } from '../helpers/tar-builder.js';

/** Feeds the tar in pieces of `size` bytes and returns what each entry ordinal got. */
function read(tar: Buffer, size: number, entries: number) {
  const numbers = new GnuDeviceNumbers();
  for (let off = 0; off < tar.length; off += size) numbers.write(tar.subarray(off, off + size));
  return Array.from({ length: entries }, (_, i) => {
    const d = numbers.take(i);
    return d && [d.devmaj, d.devmin];
  });
}

describe('GnuDeviceNumbers', () => {
  const entries: TarEntry[] = [
    { path: 'dir', type: 'dir' },
    { path: 'data.bin', body: randomBytes(3000) },
    // A tar inside a file: its header must be passed over as data, not read.
    { path: 'inner.tar', body: buildTar([{ path: 'fake', type: 'char', devmajor: 9, devminor: 9 }], { gnu: true }) },
    { path: `dev/${'x'.repeat(150)}`, type: 'char', devmajor: 4, devminor: 64 }, // pax path before it
    { path: 'dev/sda', type: 'block', devmajor: 8, devminor: 16, pax: { mtime: '1' } },
    { path: 'big', type: 'char', devmajor: 0o7777777, devminor: 3 },
  ];

  it('finds the devices of a GNU-format tar by entry ordinal, however the bytes are cut', () => {
    const tar = buildTar(entries, { gnu: true });
    for (const size of [1, 100, 511, 512, 513, 4096, tar.length]) {
      expect(read(tar, size, entries.length)).toEqual([undefined, undefined, undefined, [4, 64], [8, 16], [0o7777777, 3]]);
    }
  });

  it('leaves POSIX-format devices to node-tar, which reads them itself', () => {
    expect(read(buildTar(entries), 777, entries.length)).toEqual(entries.map(() => undefined));
  });

  it('hands each entry out once and stops at a garbled header', () => {
    const tar = buildTar([{ path: 'null', type: 'char', devmajor: 1, devminor: 3 }], { gnu: true });
    const numbers = new GnuDeviceNumbers();
    numbers.write(tar);
    expect(numbers.take(0)).toMatchObject({ devmaj: 1, devmin: 3 });
    expect(numbers.take(0)).toBeUndefined();
    const garbled = new GnuDeviceNumbers();
    garbled.write(Buffer.concat([randomBytes(512), tar]));
    expect(garbled.take(0)).toBeUndefined();
  });
});
