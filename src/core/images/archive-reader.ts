import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { ArchiveError, archiveLinkTarget, archivePath } from './image-archive.js';

/** Small JSON documents (manifests, configs, index) are read into memory up to this size. */
const MAX_DOCUMENT_BYTES = 32 << 20;
const MAX_LINK_HOPS = 16;

/**
 * An image archive unpacked into a private directory: every regular file under a numbered name
 * (the archive's own paths never touch the filesystem), links kept as a lookup table resolved
 * inside the archive. Image archives are read out of order (manifest.json comes last), so a
 * stream from stdin is spooled once; the directory lives in the store's ingest dir, which the
 * next start cleans if this process dies.
 */
export class ExtractedArchive {
  private constructor(
    readonly dir: string,
    private readonly files: Map<string, string>,
    private readonly links: Map<string, string>,
  ) {}

  static async extract(source: Readable, dir: string): Promise<ExtractedArchive> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files = new Map<string, string>();
    const links = new Map<string, string>();
    const writes: Promise<void>[] = [];
    const outs: WriteStream[] = [];
    let problem: Error | undefined;
    const fail = (err: Error) => (problem ??= err);
    const parser = new Parser({ brotli: false, zstd: false });
    parser.on('warn', (_code: string, message: string | Error) =>
      fail(new ArchiveError(`the archive is truncated or corrupt: ${message instanceof Error ? message.message : message}`)),
    );
    parser.on('error', (err: Error) => fail(new ArchiveError(`the archive is corrupt: ${err.message}`)));
    parser.on('ignoredEntry', (entry: ReadEntry) => fail(new ArchiveError(`the archive holds "${entry.path}" of an unsupported tar type (${entry.type})`)));
    parser.on('entry', (entry: ReadEntry) => {
      try {
        if (problem) throw problem;
        const path = archivePath(entry.path);
        switch (entry.type) {
          case 'File':
          case 'OldFile':
          case 'ContiguousFile': {
            const file = join(dir, String(files.size));
            files.set(path, file);
            const out = createWriteStream(file, { mode: 0o600 });
            outs.push(out);
            writes.push(
              new Promise<void>((resolve) => {
                out.on('close', resolve);
                out.on('error', (err) => fail(new ArchiveError(`cannot spool the archive entry "${path}": ${err.message}`)));
                entry.pipe(out);
              }),
            );
            return;
          }
          case 'SymbolicLink':
          case 'Link':
            links.set(path, archiveLinkTarget(path, entry.linkpath ?? '', entry.type === 'Link' ? 'hardlink' : 'symlink'));
            break;
          case 'Directory':
            break;
          default:
            throw new ArchiveError(`the archive holds "${entry.path}" of type ${entry.type}, which no image archive has; refusing to load it`);
        }
      } catch (err) {
        fail(err as Error);
      }
      entry.resume();
    });
    // After the end-of-archive blocks node-tar would keep buffering whatever follows: stop feeding it.
    let sawEof = false;
    parser.on('eof', () => (sawEof = true));
    const parsed = new Promise<void>((resolve) => parser.once('end', resolve));
    try {
      for await (const chunk of source) {
        if (problem) break;
        if (sawEof) continue;
        if (!parser.write(chunk as Buffer)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
      if (!problem) await parsed;
    } catch (err) {
      fail(err instanceof ArchiveError ? err : new ArchiveError(`cannot read the archive: ${(err as Error).message}`));
    }
    if (files.size === 0 && !problem) fail(new ArchiveError('the archive is empty or not a tar archive'));
    // Entries cut off by a failure never end: close their files so nothing waits on them.
    if (problem) for (const out of outs) if (!out.closed) out.destroy();
    await Promise.all(writes);
    if (problem) {
      await rm(dir, { recursive: true, force: true });
      throw problem;
    }
    return new ExtractedArchive(dir, files, links);
  }

  /** The file behind an archive path, following links inside the archive. */
  locate(path: string): string | undefined {
    let p = archivePath(path);
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const file = this.files.get(p);
      if (file) return file;
      const next = this.links.get(p);
      if (next === undefined) return undefined;
      p = next;
    }
    throw new ArchiveError(`the archive entry "${path}" is a loop of links`);
  }

  has(path: string): boolean {
    return this.locate(path) !== undefined;
  }

  /** The file of an entry the archive must have; `what` names it in the error. */
  need(path: string, what: string): string {
    const file = this.locate(path);
    if (!file) throw new ArchiveError(`the archive lacks ${what} (${path}); it is incomplete or was not written by an image save`);
    return file;
  }

  async readDocument(path: string, what: string): Promise<Buffer> {
    const file = this.need(path, what);
    if ((await stat(file)).size > MAX_DOCUMENT_BYTES) throw new ArchiveError(`${what} (${path}) in the archive is implausibly large`);
    return readFile(file);
  }

  async size(path: string): Promise<number> {
    return (await stat(this.need(path, path))).size;
  }

  /** The first bytes of an entry, to tell compressed layers from plain ones. */
  async head(path: string, bytes = 8): Promise<Buffer> {
    const fh = await open(this.need(path, path), 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  open(path: string): Readable {
    return createReadStream(this.need(path, path), { highWaterMark: 1 << 20 });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
