import { spawn } from 'node:child_process';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { encodeEntryHeader, type TarEntryType } from './tar-header.js';
import type { TreeEntry, TreeEntryKind } from './tree-entry.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/** Tar streams as TreeEntries and back: `cp -` both ways, ADD of a local archive. */

export class TarStreamError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const BLOCK = 512;

const TAR_KINDS: Record<string, TreeEntryKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
};

const LAYER_TYPES: Record<TreeEntryKind, TarEntryType> = {
  file: 'File',
  directory: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
  char: 'CharacterDevice',
  block: 'BlockDevice',
  fifo: 'FIFO',
};

/** A member name as a rel: no leading `./` or `/`, no trailing `/`, '' for the top. */
export function memberRel(name: string): string {
  const clean = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  return clean === '.' ? '' : clean;
}

/**
 * The entries of a tar stream (plain or gzip), in order. A member whose name climbs out of the
 * top (`../x`) is refused, as Docker's untar refuses a breakout.
 */
export async function* readTarEntries(input: Readable): AsyncGenerator<TreeEntry> {
  const parser = new Parser({ brotli: false, zstd: false });
  const queue: ReadEntry[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  parser.on('entry', (e: ReadEntry) => {
    queue.push(e);
    poke();
  });
  parser.on('warn', (code: string, message: string) => {
    if (code === 'TAR_BAD_ARCHIVE' && message === 'Unrecognized archive format') return; // an empty stream
    failure ??= new TarStreamError(`invalid tar stream: ${message}`);
    poke();
  });
  parser.on('error', (err: Error) => {
    failure ??= new TarStreamError(`invalid tar stream: ${err.message}`);
    poke();
  });
  parser.once('end', () => {
    ended = true;
    poke();
  });
  input.on('error', (err: Error) => {
    failure ??= err;
    poke();
  });
  input.pipe(parser);
  try {
    for (;;) {
      if (failure) throw failure;
      const e = queue.shift();
      if (!e) {
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const kind = TAR_KINDS[e.type];
      const raw = e.path;
      const rel = memberRel(raw);
      if (posix.normalize(raw.replace(/^\/+/, '')).split('/')[0] === '..') {
        e.resume();
        throw new TarStreamError(`invalid tar member ${JSON.stringify(raw)}: it leads out of the destination`);
      }
      if (!kind) {
        e.resume();
        continue;
      }
      const mtime = e.mtime ?? new Date(0);
      const entry: TreeEntry = {
        rel,
        kind,
        mode: (e.mode ?? (kind === 'directory' ? 0o755 : 0o644)) & 0o7777,
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        atime: e.atime ?? mtime,
        mtime,
        size: kind === 'file' ? e.size ?? 0 : 0,
      };
      if (kind === 'symlink') entry.linkTarget = e.linkpath ?? '';
      if (kind === 'hardlink') entry.linkTarget = memberRel(e.linkpath ?? '');
      if (kind === 'char' || kind === 'block') {
        entry.devMajor = e.header?.devmaj ?? 0;
        entry.devMinor = e.header?.devmin ?? 0;
      }
      if (kind === 'file') entry.data = () => e as unknown as AsyncIterable<Buffer>;
      try {
        yield entry;
      } finally {
        e.resume(); // what the consumer did not read
      }
    }
  } finally {
    input.unpipe(parser);
    if (!ended) input.destroy();
  }
}

/** `name` in the tar for each entry's rel (a directory's name gets a trailing `/`). */
export type MemberNamer = (rel: string) => string;

/** A tar stream of the entries, file data read as it streams. */
export function writeTarStream(entries: AsyncIterable<TreeEntry>, nameOf: MemberNamer): Readable {
  return Readable.from(tarChunks(entries, nameOf), { objectMode: false });
}

async function* tarChunks(entries: AsyncIterable<TreeEntry>, nameOf: MemberNamer): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    const name = nameOf(e.rel);
    yield encodeEntryHeader({
      name: e.kind === 'directory' && !name.endsWith('/') ? `${name}/` : name,
      type: LAYER_TYPES[e.kind],
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      mtime: e.mtime,
      size: e.kind === 'file' ? e.size : 0,
      linkpath: e.kind === 'hardlink' ? nameOf(e.linkTarget ?? '') : e.linkTarget,
      devmaj: e.devMajor,
      devmin: e.devMinor,
    });
    if (e.kind !== 'file' || e.size === 0 || !e.data) continue;
    for await (const chunk of e.data()) yield chunk;
    const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/**
 * A local archive's tar bytes: gzip is read by the tar parser itself; bzip2 and xz through
 * their decompressors (a filter over a pipe: nothing is written to disk).
 */
export function decompressedArchive(input: Readable, head: Buffer): Readable {
  const tool = head.subarray(0, 3).toString('latin1') === 'BZh' ? 'bzip2' : head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) ? 'xz' : undefined;
  if (!tool) return input;
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  input.pipe(child.stdin).on('error', () => {
    /* the decompressor stopped reading: its exit status says why */
  });
  child.on('close', (code) => {
    if (code !== 0) child.stdout.destroy(new TarStreamError(`${tool} could not decompress the archive: ${stderr.trim() || `exit ${code}`}`));
  });
  return child.stdout;
}
