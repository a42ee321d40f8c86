import fs from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { mknod } from '../fs/mknod.js';
import { GnuDeviceNumbers } from './gnu-device-numbers.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/** A layer entry that would write outside the layer directory, or is otherwise crafted. */
/** The tar stream itself is malformed (bad headers, checksums): the layer's bytes are damaged. */
export class CorruptLayerTarError extends TsdockError {
  override readonly name = 'CorruptLayerTarError';
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export class UnsafeLayerEntryError extends TsdockError {
  override readonly name = 'UnsafeLayerEntryError';
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super('invalid-argument', `layer entry ${JSON.stringify(entry)} ${reason}`);
  }
}

/**
 * What becomes of the layer's OCI whiteouts (containerd's WithConvertWhiteout). The unpacker
 * keeps the layer's rules (an entry of this layer at a whited-out path wins; a directory
 * recreated after its whiteout hides the lower layers' content) and the converter makes the
 * marks in the layer directory's own form. Without one, `.wh.` entries are written as the plain
 * files they are in the tar.
 */
export interface WhiteoutConverter {
  /** Marks `abs` (nothing is there) as deleted in the layers below; `entry` names the tar entry for errors. */
  whiteout(abs: string, entry: string): Promise<void>;
  /** Marks these directories as hiding what the layers below have in them; called once, after the last entry. */
  opaque(dirs: string[]): Promise<void>;
}

export interface UnpackOptions {
  convertWhiteout?: WhiteoutConverter;
}

export interface UnpackStats {
  /** Entries written: files, directories, links, devices, FIFOs (whiteouts not included). */
  files: number;
  /** OCI `.wh.NAME` entries turned into overlayfs whiteouts (char device 0/0), replaced or not. */
  whiteouts: number;
  /** Directories marked `trusted.overlay.opaque=y`. */
  opaqueDirs: number;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
/** Files up to this size are written with writeSync (see writeBody). */
const SYNC_WRITE_MAX = 128 << 10;
/** Buffered file data before the entry (and so the input) is paused; also the largest writev. */
const WRITE_HIGH_WATER = 1 << 20;
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const O_CREATE_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/**
 * Unpacks one uncompressed layer tar into `dest` (an existing empty directory), its OCI
 * whiteouts converted by `opts.convertWhiteout` (the layer store passes overlayfs's). Reads `tar`
 * to its end, trailing bytes included (the caller digests them). On error `tar` is destroyed
 * (without an error), nothing is written outside `dest`, and the caller is expected to remove `dest`.
 * Throughput depends much on the input chunk size: prefer e.g. createGunzip({ chunkSize: 256 KiB }).
 */
export async function unpackLayer(tar: NodeJS.ReadableStream | Readable, dest: string, opts: UnpackOptions = {}): Promise<UnpackStats> {
  const writer = new LayerWriter(path.resolve(dest), opts.convertWhiteout);
  // Auto-detection of gzip cannot be switched off in node-tar; turn off the other two at least.
  const parser = new Parser({ brotli: false, zstd: false });
  const gnuDevices = new GnuDeviceNumbers();
  let entries = 0;
  let failure: Error | undefined;
  let signalFailure!: () => void;
  const failed = new Promise<void>((resolve) => (signalFailure = resolve));
  const fail = (err: unknown): void => {
    if (failure) return;
    failure = err instanceof Error ? err : new Error(String(err));
    writer.abort(failure);
    signalFailure();
    destroy(tar);
  };

  // node-tar emits the next entry only once the current one has ended, but our work on an entry
  // continues after its data ends (chown, close...), so a promise chain keeps entries strictly in order.
  let chain = Promise.resolve();
  parser.on('entry', (entry: ReadEntry) => {
    const gnu = gnuDevices.take(entries++);
    if (gnu && gnu.cksum !== entry.header.cksum) fail(new CorruptLayerTarError(`corrupt layer tar: the header of ${JSON.stringify(entry.path)} was read differently twice`));
    else if (gnu) Object.assign(entry.header, { devmaj: gnu.devmaj, devmin: gnu.devmin });
    chain = chain
      .then(() => (failure ? undefined : writer.handle(entry)))
      .then(
        () => entry.resume(),
        (err: unknown) => {
          fail(err);
          entry.resume();
        },
      );
  });
  // node-tar silently truncates pax/GNU long names at a NUL; refuse them instead.
  parser.on('meta', (meta: string) => {
    const name = nulName(meta);
    if (name !== undefined) fail(new UnsafeLayerEntryError(name, 'contains a NUL byte'));
  });
  // Unknown types (sparse, volume labels...) and oversized pax headers are skipped by node-tar.
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    fail(new Error(`layer entry ${JSON.stringify(entry.path)} has an unsupported tar type (${entry.type})`)),
  );
  parser.on('warn', (code: string, message: string) => {
    // An empty layer (only zero blocks, or no bytes) is valid; node-tar calls it unrecognized.
    if (code === 'TAR_BAD_ARCHIVE' && message === 'Unrecognized archive format') return;
    fail(new CorruptLayerTarError(`corrupt layer tar: ${message} (${code})`));
  });
  parser.on('error', fail);
  // After the end-of-archive blocks node-tar keeps appending whatever it is fed to one growing buffer.
  let sawEof = false;
  parser.on('eof', () => (sawEof = true));
  const parsed = new Promise<void>((resolve) => parser.once('end', resolve));

  try {
    for await (const chunk of chunks(tar)) {
      if (failure) break;
      if (sawEof) continue; // trailing data: read for the caller's digest, not parsed
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      gnuDevices.write(bytes); // before the Parser, which may emit entries of this chunk at once
      if (!parser.write(bytes)) {
        await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), failed]);
      }
    }
    if (!failure) {
      parser.end();
      await Promise.race([parsed, failed]);
    }
  } catch (err) {
    fail(err);
  }
  await chain; // never rejects; lets in-flight fs work settle before the caller removes dest
  if (!failure) {
    try {
      return await writer.finish();
    } catch (err) {
      fail(err);
    }
  }
  throw failure;
}

type Kind = 'dir' | 'symlink' | 'whiteout' | 'other';

/**
 * Applies entries in tar order. Every path is checked against what this layer already created
 * (dest starts empty), so symlinks are detected lexically, without racing the filesystem.
 */
class LayerWriter {
  private readonly kinds = new Map<string, Kind>();
  private readonly opaque = new Set<string>();
  /** Directory times are set last: creating children would change them. */
  private readonly dirTimes = new Map<string, [Date, Date]>();
  private readonly stats: UnpackStats = { files: 0, whiteouts: 0, opaqueDirs: 0 };
  private readonly asRoot = process.getuid?.() === 0;
  private aborted?: Error;
  private abortBody?: (err: Error) => void;

  constructor(
    private readonly dest: string,
    private readonly convert: WhiteoutConverter | undefined,
  ) {}

  /** Makes a file body being written give up (its data may never come). */
  abort(err: Error): void {
    this.aborted = err;
    this.abortBody?.(err);
  }

  async handle(e: ReadEntry): Promise<void> {
    const name = e.path;
    if (name.includes('\0') || e.linkpath?.includes('\0')) {
      throw new UnsafeLayerEntryError(name, 'contains a NUL byte');
    }
    const rel = normalize(name);
    if (rel === null) throw new UnsafeLayerEntryError(name, 'escapes the layer directory');
    this.assertNoSymlinkAbove(name, rel, 'goes through symlink');

    const slash = rel.lastIndexOf('/');
    const dir = slash < 0 ? '' : rel.slice(0, slash);
    const base = rel.slice(slash + 1);
    if (this.convert) {
      if (base === OPAQUE) return this.markOpaque(name, rel, dir);
      if (rel.startsWith('.wh..wh.')) return; // aufs metadata (.wh..wh.plnk...), meaningless here
      if (base.startsWith(WH)) return this.whiteout(this.convert, e, dir, base.slice(WH.length));
    }
    if (rel === '') {
      if (e.type !== 'Directory') throw new UnsafeLayerEntryError(name, 'would replace the layer directory');
      return this.directory(e, rel);
    }

    switch (e.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        return this.file(e, rel);
      case 'Directory':
      case 'GNUDumpDir':
        return this.directory(e, rel);
      case 'SymbolicLink':
        return this.symlink(e, rel);
      case 'Link':
        return this.hardlink(e, rel);
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO':
        return this.device(e, rel);
      default:
        throw new TsdockError('invalid-argument', `layer entry ${JSON.stringify(name)} has an unsupported tar type (${e.type})`);
    }
  }

  /** Marks the opaque directories (through the converter) and sets directory times. */
  async finish(): Promise<UnpackStats> {
    const opaque = [...this.opaque].map((rel) => this.abs(rel));
    if (opaque.length) await this.convert!.opaque(opaque); // only a converter's whiteouts make any
    this.stats.opaqueDirs = opaque.length;
    for (const [rel, [atime, mtime]] of this.dirTimes) fs.utimesSync(this.abs(rel), atime, mtime);
    return this.stats;
  }

  // Metadata calls below are synchronous on purpose: they take microseconds, while a thread-pool
  // round trip each would dominate layers made of many small files. For file data see writeBody.

  private async file(e: ReadEntry, rel: string): Promise<void> {
    const abs = await this.prepare(e.path, rel);
    const fd = fs.openSync(abs, O_CREATE_NEW, 0o600);
    this.kinds.set(rel, 'other');
    try {
      await this.writeBody(e, fd);
      if (this.asRoot) fs.fchownSync(fd, e.uid ?? 0, e.gid ?? 0);
      fs.fchmodSync(fd, e.mode ?? 0o644); // after chown, which clears setuid/setgid
      if (e.mtime) fs.futimesSync(fd, e.atime ?? e.mtime, e.mtime);
    } finally {
      fs.closeSync(fd);
    }
    this.stats.files++;
  }

  private async directory(e: ReadEntry, rel: string): Promise<void> {
    const abs = this.abs(rel);
    if (rel !== '') {
      await this.ensureParents(e.path, rel);
      const kind = this.kinds.get(rel);
      if (kind !== 'dir') {
        if (kind !== undefined) await this.remove(rel, kind);
        fs.mkdirSync(abs, 0o700);
        this.kinds.set(rel, 'dir');
        // Whited out, then recreated in the same layer: hide the lower layers' content.
        if (kind === 'whiteout') this.opaque.add(rel);
      }
    }
    if (this.asRoot) fs.chownSync(abs, e.uid ?? 0, e.gid ?? 0);
    fs.chmodSync(abs, e.mode ?? 0o755);
    if (e.mtime) this.dirTimes.set(rel, [e.atime ?? e.mtime, e.mtime]);
    this.stats.files++;
  }

  private async symlink(e: ReadEntry, rel: string): Promise<void> {
    const abs = await this.prepare(e.path, rel);
    fs.symlinkSync(e.linkpath ?? '', abs); // target verbatim: resolved inside the container
    this.kinds.set(rel, 'symlink');
    if (this.asRoot) fs.lchownSync(abs, e.uid ?? 0, e.gid ?? 0);
    if (e.mtime) fs.lutimesSync(abs, e.atime ?? e.mtime, e.mtime);
    this.stats.files++;
  }

  private async hardlink(e: ReadEntry, rel: string): Promise<void> {
    const linkpath = e.linkpath ?? '';
    const what = `hardlink target ${JSON.stringify(linkpath)}`;
    const target = normalize(linkpath);
    if (target === null) throw new UnsafeLayerEntryError(e.path, `${what} escapes the layer directory`);
    this.assertNoSymlinkAbove(e.path, target, `${what} goes through symlink`);
    const kind = this.kinds.get(target);
    if (kind === undefined || target === '') {
      throw new UnsafeLayerEntryError(e.path, `${what} is not in the layer`);
    }
    if (target === rel) return;
    const abs = await this.prepare(e.path, rel);
    fs.linkSync(this.abs(target), abs); // link(2) does not follow a symlink target
    this.kinds.set(rel, kind);
    this.stats.files++;
  }

  private async device(e: ReadEntry, rel: string): Promise<void> {
    const abs = await this.prepare(e.path, rel);
    const type = e.type === 'FIFO' ? 'p' : e.type === 'BlockDevice' ? 'b' : 'c';
    await mknod(`layer entry ${JSON.stringify(e.path)}`, abs, type, e.header.devmaj, e.header.devmin);
    this.kinds.set(rel, 'other');
    if (this.asRoot) fs.lchownSync(abs, e.uid ?? 0, e.gid ?? 0);
    fs.chmodSync(abs, e.mode ?? 0o644); // mknod -m takes permission bits only
    if (e.mtime) fs.lutimesSync(abs, e.atime ?? e.mtime, e.mtime);
    this.stats.files++;
  }

  private async whiteout(convert: WhiteoutConverter, e: ReadEntry, dir: string, name: string): Promise<void> {
    if (name === '' || name === '.' || name === '..') {
      throw new UnsafeLayerEntryError(e.path, 'is not a valid whiteout');
    }
    const rel = dir === '' ? name : `${dir}/${name}`;
    // Whiteouts only hide lower layers; content of this layer at that path wins, whatever the
    // order. A directory of this layer must still hide what the lower layers have in it.
    const kind = this.kinds.get(rel);
    if (kind === 'dir') this.opaque.add(rel);
    if (kind !== undefined) return;
    await this.ensureParents(e.path, rel);
    await convert.whiteout(this.abs(rel), e.path);
    this.kinds.set(rel, 'whiteout');
    this.stats.whiteouts++;
  }

  private async markOpaque(entry: string, rel: string, dir: string): Promise<void> {
    await this.ensureParents(entry, rel); // creates dir if the layer did not list it
    this.opaque.add(dir);
  }

  /**
   * Streams the entry's data to fd. Large files are written asynchronously, overlapping with the
   * reading of the next chunks; small ones (most files of a layer, few of its bytes) synchronously,
   * as a thread-pool round trip per file would cost more than the write itself.
   */
  private writeBody(e: ReadEntry, fd: number): Promise<void> {
    // Aborted while this entry was being prepared: its data may never come.
    if (this.aborted) return Promise.reject(this.aborted);
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const settle = (err?: Error): void => {
        if (done) return;
        done = true;
        this.abortBody = undefined;
        if (err) reject(err);
        else resolve();
      };
      this.abortBody = settle;

      if (e.size <= SYNC_WRITE_MAX) {
        e.on('data', (chunk: Buffer) => {
          if (done) return;
          try {
            for (let off = 0; off < chunk.length; ) off += fs.writeSync(fd, chunk, off);
          } catch (err) {
            settle(err as Error);
          }
        });
        e.once('end', () => settle());
        e.resume();
        return;
      }

      let queued: Buffer[] = [];
      let queuedBytes = 0;
      let busy = false;
      let ended = false;
      const pump = (): void => {
        if (done) return;
        if (queued.length === 0) {
          busy = false;
          if (ended) settle();
          else if (!e.flowing) e.resume();
          return;
        }
        busy = true;
        const bufs = queued;
        queued = [];
        queuedBytes = 0;
        writevAll(fd, bufs).then(pump, settle);
      };
      e.on('data', (chunk: Buffer) => {
        queued.push(chunk);
        queuedBytes += chunk.length;
        if (queuedBytes >= WRITE_HIGH_WATER) e.pause(); // parser.write() then returns false upstream
        if (!busy) pump();
      });
      e.once('end', () => {
        ended = true;
        if (!busy) settle();
      });
      e.resume();
    });
  }

  /** Makes the parents of rel exist as directories and clears whatever is at rel. */
  private async prepare(entry: string, rel: string): Promise<string> {
    await this.ensureParents(entry, rel);
    const kind = this.kinds.get(rel);
    if (kind !== undefined) await this.remove(rel, kind);
    return this.abs(rel);
  }

  /** Parents missing from the tar are created 0755 root:root, as Docker does. */
  private async ensureParents(entry: string, rel: string): Promise<void> {
    const slash = rel.lastIndexOf('/');
    if (slash < 0 || this.kinds.get(rel.slice(0, slash)) === 'dir') return;
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      const dir = rel.slice(0, i);
      const kind = this.kinds.get(dir);
      if (kind === 'dir') continue;
      if (kind === 'whiteout') {
        await this.remove(dir, kind);
        this.opaque.add(dir); // as in directory(): recreated after its whiteout
      } else if (kind !== undefined) {
        const why = `parent ${JSON.stringify(dir)} is not a directory`;
        throw new TsdockError('invalid-argument', `layer entry ${JSON.stringify(entry)}: ${why}`);
      }
      const abs = this.abs(dir);
      fs.mkdirSync(abs, 0o755);
      fs.chmodSync(abs, 0o755); // whatever the process umask
      this.kinds.set(dir, 'dir');
    }
  }

  /** Removes something this layer created at rel, with all it contains. */
  private async remove(rel: string, kind: Kind): Promise<void> {
    this.kinds.delete(rel);
    if (kind !== 'dir') {
      fs.unlinkSync(this.abs(rel));
      return;
    }
    await rm(this.abs(rel), { recursive: true, force: true }); // rm does not follow symlinks
    this.opaque.delete(rel);
    this.dirTimes.delete(rel);
    const under = `${rel}/`;
    for (const map of [this.kinds, this.dirTimes]) {
      for (const key of map.keys()) if (key.startsWith(under)) map.delete(key);
    }
    for (const key of this.opaque) if (key.startsWith(under)) this.opaque.delete(key);
  }

  private assertNoSymlinkAbove(entry: string, rel: string, what: string): void {
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      const dir = rel.slice(0, i);
      if (this.kinds.get(dir) === 'symlink') {
        throw new UnsafeLayerEntryError(entry, `${what} ${JSON.stringify(dir)}`);
      }
    }
  }

  private abs(rel: string): string {
    return rel === '' ? this.dest : `${this.dest}/${rel}`;
  }
}

/**
 * A tar name as a path relative to the layer root ('' for the root itself), or null when `..`
 * climbs out of it. Leading slashes are dropped, as Docker and containerd do.
 */
function normalize(name: string): string | null {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) return null;
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/** The offending name if a pax path/linkpath record or a GNU long name embeds a NUL. */
function nulName(meta: string): string | undefined {
  if (/^\d+ /.test(meta)) {
    for (const m of meta.matchAll(/(?:^|\n)\d+ (?:path|linkpath)=([^\n]*)/g)) {
      if (m[1]!.includes('\0')) return m[1];
    }
    return undefined;
  }
  const name = meta.replace(/\0+$/, ''); // GNU long names are NUL-terminated
  return name.includes('\0') ? name : undefined;
}

function writevAll(fd: number, bufs: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const write = (rest: Buffer[]): void =>
      fs.writev(fd, rest, (err, written) => {
        if (err) return reject(err);
        while (rest.length > 0 && written >= rest[0]!.length) {
          written -= rest[0]!.length;
          rest = rest.slice(1);
        }
        if (rest.length === 0) return resolve();
        rest[0] = rest[0]!.subarray(written); // short write
        write(rest);
      });
    write(bufs);
  });
}

function chunks(input: NodeJS.ReadableStream | Readable): AsyncIterable<Buffer | string> {
  return Symbol.asyncIterator in input ? input : new Readable().wrap(input);
}

function destroy(input: NodeJS.ReadableStream | Readable): void {
  const stream = input as Partial<Readable>;
  if (typeof stream.destroy === 'function') stream.destroy();
  else input.resume(); // old-style stream: drain it
}
