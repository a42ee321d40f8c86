import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { ContentHasher, digestHex, sha256Digest, type Digest } from '../oci/digest.js';
import { syncDir, tempName, writeFileAtomic } from '../store/atomic-file.js';
import { pidOfTempName, processAlive } from '../process/process-alive.js';
import { TsdockError } from '../errors.js';
import { unlessMissing } from '../store/missing-path.js';

export class BlobVerificationError extends TsdockError {
  constructor(
    readonly expected: Digest,
    what: string,
  ) {
    super('unavailable', `blob ${expected} failed verification: ${what}; nothing was stored, retry the pull (the registry may be serving corrupt data)`);
  }
}

export class BlobNotFoundError extends TsdockError {
  constructor(readonly digest: Digest) {
    super('not-found', `blob ${digest} is not in the content store`);
  }
}

/**
 * Content-addressed blobs (manifests, configs, compressed layers) under blobs/sha256/<hex>.
 * A blob is committed by rename only after its size and digest matched, so a blob file that
 * exists is always complete and correct; partial writes live in ingest/ and are discarded.
 */
export class ContentStore {
  readonly blobDir: string;
  readonly ingestDir: string;

  constructor(root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.ingestDir, { recursive: true });
  }

  path(d: Digest): string {
    return join(this.blobDir, digestHex(d));
  }

  async has(d: Digest): Promise<boolean> {
    return stat(this.path(d)).then(
      () => true,
      () => false,
    );
  }

  async size(d: Digest): Promise<number> {
    return (await stat(this.path(d))).size;
  }

  async read(d: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(d));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(d);
      throw err;
    }
  }

  openRead(d: Digest): ReadStream {
    return createReadStream(this.path(d));
  }

  /** `length` bytes of a blob from `offset` (one chunk of a chunked upload). */
  async readRange(d: Digest, offset: number, length: number): Promise<Buffer> {
    const fh = await open(this.path(d), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new Error(`blob ${d} is shorter than expected (read ${bytesRead} of ${length} bytes at ${offset})`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  /** Stores small content whose bytes are already in memory (manifests, configs). */
  async putBytes(data: Uint8Array, expected?: Digest): Promise<Digest> {
    const d = sha256Digest(data);
    if (expected && d !== expected) throw new BlobVerificationError(expected, `content hashes to ${d}`);
    if (!(await this.has(d))) await writeFileAtomic(this.path(d), data);
    return d;
  }

  /**
   * Starts writing a blob that streams in. Returns a sink to pipe the bytes into, and
   * commit()/abort() to call when the producer is done. Without `expected` (content tsdock
   * makes itself: committed layers, loaded archives) the blob is stored under whatever it hashes to.
   */
  async ingest(expected: Digest | undefined, expectedSize: number | undefined): Promise<BlobIngest> {
    const tmp = tempName(this.ingestDir, expected ? digestHex(expected) : 'new');
    return new BlobIngest(this, tmp, expected, expectedSize);
  }

  async delete(d: Digest): Promise<void> {
    await unlink(this.path(d)).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }

  async list(): Promise<Digest[]> {
    const names = await unlessMissing(readdir(this.blobDir), [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}` as Digest);
  }

  /** Removes partial writes left by processes that died (SIGKILL mid-pull). */
  async removeAbandonedIngests(): Promise<number> {
    let removed = 0;
    for (const name of await unlessMissing(readdir(this.ingestDir), [] as string[])) {
      const pid = pidOfTempName(name);
      if (pid === undefined || !processAlive(pid)) {
        await rm(join(this.ingestDir, name), { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  /** Copies a stream into the store, verifying it. */
  async putStream(source: Readable, expected: Digest, expectedSize?: number): Promise<void> {
    const ing = await this.ingest(expected, expectedSize);
    try {
      await pipeline(source, ing.stream, new Writable({ write: (_c, _e, cb) => cb() }));
      await ing.commit();
    } catch (err) {
      await ing.abort();
      throw err;
    }
  }
}

/**
 * A blob being written: `stream` passes the bytes through unchanged (so they can be unpacked in
 * the same pass) while hashing, counting and writing them to the ingest file.
 */
export class BlobIngest {
  private readonly hasher = new ContentHasher();
  readonly stream: Transform;
  private readonly file: WriteStream;
  /** Called with the running byte count, for progress. */
  onBytes?: (bytes: number) => void;

  constructor(
    private readonly store: ContentStore,
    readonly tmpPath: string,
    readonly expected: Digest | undefined,
    readonly expectedSize: number | undefined,
  ) {
    const ingest = this;
    // Written beside the pass-through without waiting on each write: the file only slows
    // the stream down when its buffer is full.
    const file = (this.file = createWriteStream(tmpPath, { mode: 0o644, highWaterMark: 1 << 20 }));
    this.stream = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        ingest.hasher.update(chunk);
        if (expectedSize !== undefined && ingest.hasher.bytes > expectedSize) {
          cb(new BlobVerificationError(expected!, `the registry sent more than the ${expectedSize} bytes the manifest declares`));
          return;
        }
        ingest.onBytes?.(ingest.hasher.bytes);
        this.push(chunk);
        if (file.write(chunk)) cb();
        else file.once('drain', () => cb());
      },
    });
    // A failing disk write (full, removed) fails the pass-through, so the whole pull stops; one
    // still in flight when abort() destroys the file must not become an unhandled error.
    file.on('error', (err) => {
      if (!this.stream.destroyed) this.stream.destroy(err);
    });
  }

  get bytes(): number {
    return this.hasher.bytes;
  }

  /** Checks size and digest, then makes the blob visible. Throws (and discards) on mismatch. */
  async commit(): Promise<Digest> {
    await this.closeFile();
    const size = this.hasher.bytes;
    const actual = this.hasher.digest();
    if (this.expected !== undefined) {
      if (this.expectedSize !== undefined && size !== this.expectedSize) {
        await this.abort();
        throw new BlobVerificationError(this.expected, `expected ${this.expectedSize} bytes, received ${size}`);
      }
      if (actual !== this.expected) {
        await this.abort();
        throw new BlobVerificationError(this.expected, `content hashes to ${actual}`);
      }
    }
    await rename(this.tmpPath, this.store.path(actual));
    await syncDir(this.store.blobDir);
    return actual;
  }

  private async closeFile(): Promise<void> {
    if (this.file.closed) return;
    const done = once(this.file, 'close');
    this.file.end();
    await done;
  }

  async abort(): Promise<void> {
    this.file.destroy();
    // Aborting: the stream's own error was already reported; only its close is awaited.
    if (!this.file.closed) await once(this.file, 'close').catch(() => {});
    await rm(this.tmpPath, { force: true });
  }
}
