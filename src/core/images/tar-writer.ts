import { once } from 'node:events';

/**
 * Writes a ustar archive to a stream, entry by entry, honouring backpressure. Enough for image
 * archives (regular files and directories, owned by root, mtime 0 so the same images give the
 * same bytes); layer contents are never re-tarred, only carried as files.
 */
export class TarWriter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  async directory(name: string): Promise<void> {
    await this.write(tarHeader(name.endsWith('/') ? name : `${name}/`, '5', 0, 0o755));
  }

  async file(name: string, data: Buffer): Promise<void> {
    await this.write(tarHeader(name, '0', data.length, 0o644));
    if (data.length > 0) await this.write(data);
    await this.write(padding(data.length));
  }

  /** A file whose bytes stream in; the source must yield exactly `size` bytes. */
  async fileFrom(name: string, size: number, source: AsyncIterable<Buffer>): Promise<void> {
    await this.write(tarHeader(name, '0', size, 0o644));
    let written = 0;
    for await (const chunk of source) {
      written += chunk.length;
      if (written > size) throw new Error(`${name} is longer than the ${size} bytes announced for it`);
      await this.write(chunk);
    }
    if (written !== size) throw new Error(`${name} ended after ${written} of the ${size} bytes announced for it`);
    await this.write(padding(size));
  }

  /** The two zero blocks that end an archive. The stream itself is left open. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(1024));
  }

  private async write(chunk: Buffer): Promise<void> {
    if (!this.out.write(chunk)) await once(this.out as unknown as NodeJS.EventEmitter, 'drain');
  }
}

function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** One ustar header block; names over 100 bytes are split into prefix and name at a slash. */
export function tarHeader(path: string, typeflag: '0' | '5', size: number, mode: number): Buffer {
  const b = Buffer.alloc(512);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', path.length - 2);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) throw new Error(`archive path too long for ustar: ${path}`);
  }
  b.write(name, 0, 100, 'utf8');
  octal(b, 100, 8, mode);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  if (size <= 0o77777777777) octal(b, 124, 12, size);
  else {
    // GNU base-256 for sizes over 8 GiB: high bit set, big-endian value.
    b[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  octal(b, 136, 12, 0);
  b.write(typeflag, 156, 1, 'ascii');
  b.write('ustar\u000000', 257, 8, 'ascii');
  b.write('root', 265, 32, 'ascii');
  b.write('root', 297, 32, 'ascii');
  b.write(prefix, 345, 155, 'utf8');
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

function octal(b: Buffer, offset: number, width: number, value: number): void {
  b.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}
