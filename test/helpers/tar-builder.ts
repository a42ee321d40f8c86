/**
 * Builds tar archives byte by byte, so tests can produce what real tools refuse to write:
 * `..` names, absolute names, NULs in pax records, missing end-of-archive blocks.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  path: string;
  type?: TarEntryType; // default 'file'
  mode?: number; // default 0644 (files) / 0755 (dirs)
  uid?: number;
  gid?: number;
  body?: string | Buffer;
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
  /** Seconds since the epoch; default DEFAULT_MTIME. */
  mtime?: number;
  /** Extra pax records written in an `x` header before the entry (a long path goes there too). */
  pax?: Record<string, string>;
}

export interface BuildOptions {
  /** Write the two zero blocks that end an archive (default true). */
  trailer?: boolean;
  /** Write GNU tar's magic ("ustar  \0") instead of POSIX ustar's (default false). */
  gnu?: boolean;
}

export const DEFAULT_MTIME = 1_700_000_000;

const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export function buildTar(entries: TarEntry[], opts: BuildOptions = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const pax = { ...e.pax };
    if (Buffer.byteLength(e.path) > 100) pax.path = e.path;
    if (Object.keys(pax).length > 0) {
      const records = Buffer.concat(Object.entries(pax).map(([k, v]) => paxRecord(k, v)));
      blocks.push(header({ name: 'PaxHeader', typeflag: 'x', size: records.length }), pad(records));
    }
    blocks.push(
      header({
        name: e.path.slice(0, 100),
        typeflag: TYPEFLAG[type],
        mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        size: type === 'file' ? body.length : 0,
        mtime: e.mtime ?? DEFAULT_MTIME,
        linkname: e.linkpath ?? '',
        devmajor: e.devmajor ?? 0,
        devminor: e.devminor ?? 0,
        gnu: opts.gnu ?? false,
      }),
    );
    if (type === 'file') blocks.push(pad(body));
  }
  if (opts.trailer ?? true) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

interface HeaderFields {
  name: string;
  typeflag: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  gnu?: boolean;
}

/** A ustar header block (GNU tar's variant when f.gnu: other magic, no prefix field). */
function header(f: HeaderFields): Buffer {
  const b = Buffer.alloc(512);
  b.write(f.name, 0, 100, 'utf8');
  octal(b, 100, 8, f.mode ?? 0o644);
  octal(b, 108, 8, f.uid ?? 0);
  octal(b, 116, 8, f.gid ?? 0);
  octal(b, 124, 12, f.size);
  octal(b, 136, 12, f.mtime ?? DEFAULT_MTIME);
  b.write(f.typeflag, 156, 1, 'ascii');
  b.write(f.linkname ?? '', 157, 100, 'utf8');
  b.write(f.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 8, 'ascii');
  b.write('root', 265, 32, 'ascii');
  b.write('root', 297, 32, 'ascii');
  octal(b, 329, 8, f.devmajor ?? 0);
  octal(b, 337, 8, f.devminor ?? 0);
  b.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

function octal(b: Buffer, off: number, size: number, value: number): void {
  b.write(`${value.toString(8).padStart(size - 1, '0')}\0`, off, size, 'ascii');
}

/** `<len> key=value\n`, where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.from(`${len} ${key}=${value}\n`);
}

function pad(data: Buffer): Buffer {
  const rem = data.length % 512;
  return rem === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rem)]);
}
