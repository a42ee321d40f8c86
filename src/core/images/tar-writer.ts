import { once } from 'node:events';
import { encodeEntryHeader } from '../fs/tar-header.js';

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

/** The header block(s) of one archive entry, owned by root with mtime 0 (the layer writer's encoder). */
export function tarHeader(path: string, typeflag: '0' | '5', size: number, mode: number): Buffer {
  return encodeEntryHeader({ name: path, type: typeflag === '5' ? 'Directory' : 'File', mode, uid: 0, gid: 0, mtime: new Date(0), size });
}
