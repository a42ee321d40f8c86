import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { Dir, release, RootedFs, statOrUndefined, type Located } from './rooted-fs.js';
import { deviceNumbers, type TreeEntry, type TreeEntryKind } from './tree-entry.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/**
 * Reads a tree out of a RootedFs as TreeEntries, depth first, names in byte order: every
 * directory is entered through a descriptor of its parent (never by path), every file opened
 * with O_NOFOLLOW and read for the size its fstat gives, so neither a swap nor an endless
 * special file (/proc) can take the copy anywhere else or make it larger.
 */

const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CHUNK = 1 << 20;

/** Which entries a walk keeps (.dockerignore). `hidden` directories appear only when something below them is kept. */
export type TreeFilter = (rel: string, isDir: boolean) => 'keep' | 'skip' | 'hidden';

export interface ReadTreeOptions {
  filter?: TreeFilter;
  /** What the caller found at the path before: a different kind now means it was swapped meanwhile. */
  expectDirectory?: boolean;
}

export class TreeChangedError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

function kindOf(st: Stats): TreeEntryKind | undefined {
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not copied (as Docker)
}

function baseEntry(rel: string, kind: TreeEntryKind, st: Stats): TreeEntry {
  const e: TreeEntry = { rel, kind, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, atime: st.atime, mtime: st.mtime, size: 0 };
  if (kind === 'char' || kind === 'block') Object.assign(e, deviceNumbers(st.rdev));
  return e;
}

/**
 * Exactly `size` bytes (the size the walk saw) of the file at `source`, opened without
 * following a symlink: cut, or zero-filled when it shrank or is no longer a regular file.
 */
async function* fileData(source: string, size: number): AsyncGenerator<Buffer> {
  const fd = openSync(source, FILE_FLAGS);
  try {
    if (fstatSync(fd).isFile()) yield* boundedData(fd, size);
    else if (size > 0) yield Buffer.alloc(size);
  } finally {
    closeSync(fd);
  }
}

async function* boundedData(fd: number, size: number): AsyncGenerator<Buffer> {
  let done = 0;
  while (done < size) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - done));
    const bytesRead = readSync(fd, buf, 0, buf.length, done);
    if (bytesRead === 0) {
      yield Buffer.alloc(size - done);
      return;
    }
    done += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

class Walk {
  /** dev:ino of files seen with more than one link -> their rel, for hardlink entries. */
  private readonly inodes = new Map<string, string>();

  constructor(
    private readonly fs: RootedFs,
    private readonly opts: ReadTreeOptions,
  ) {}

  /** A non-directory as an entry; a file's data is opened (O_NOFOLLOW) only when it is read. */
  async *leaf(rel: string, st: Stats, source: string): AsyncGenerator<TreeEntry> {
    const kind = kindOf(st);
    if (!kind) return;
    if (kind === 'symlink') {
      yield { ...baseEntry(rel, kind, st), linkTarget: readlinkSync(source) };
      return;
    }
    if (kind !== 'file') {
      yield baseEntry(rel, kind, st);
      return;
    }
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) {
        yield { ...baseEntry(rel, 'hardlink', st), linkTarget: first };
        return;
      }
      this.inodes.set(key, rel);
    }
    yield { ...baseEntry(rel, 'file', st), size: st.size, data: () => fileData(source, st.size) };
  }

  /** The contents of an open directory. `pending` holds hidden ancestors not yet emitted. */
  async *children(dir: Dir, rel: string, pending: TreeEntry[]): AsyncGenerator<TreeEntry> {
    const names = readdirSync(dir.self()).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const childPath = dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
      const mount = this.fs.mounts.find((m) => m.destination === childPath);
      const st = statOrUndefined(mount ? mount.source : dir.child(name), false);
      if (!st) continue; // removed meanwhile
      const verdict = this.opts.filter?.(childRel, st.isDirectory()) ?? 'keep';
      if (verdict === 'skip') continue;
      if (st.isDirectory()) {
        let sub: Dir;
        try {
          sub = mount ? await this.fs.openLocated({ path: childPath, name, stat: st, mount }) : await dir.openChild(name, childPath);
        } catch {
          continue; // swapped for something else meanwhile: it is not copied
        }
        try {
          const entry = baseEntry(childRel, 'directory', await sub.stat());
          if (verdict === 'hidden') {
            yield* this.children(sub, childRel, [...pending, entry]);
          } else {
            yield* pending.splice(0);
            yield entry;
            yield* this.children(sub, childRel, []);
          }
        } finally {
          await sub.close();
        }
        continue;
      }
      if (verdict === 'hidden') continue;
      const before = pending.splice(0);
      let emitted = false;
      for await (const e of this.leaf(childRel, st, mount?.source ?? dir.child(name))) {
        if (!emitted) yield* before;
        emitted = true;
        yield e;
      }
    }
  }
}

/**
 * Every entry of `path` in `fs`: the entry itself (rel '') then, for a directory, what it
 * holds. With `followLast` a symlink at `path` is read as what it points to (inside the root).
 * Each file entry's data must be read before the next entry is asked for (its directory is
 * held open only until then).
 */
export async function* readTree(fs: RootedFs, path: string, followLast: boolean, opts: ReadTreeOptions = {}): AsyncGenerator<TreeEntry> {
  const loc = await fs.locate(path, { followLast });
  try {
    yield* readLocated(fs, loc, opts);
  } finally {
    await release(loc);
  }
}

/** As readTree, from an already located entry (its parent stays open meanwhile). */
export async function* readLocated(fs: RootedFs, loc: Located, opts: ReadTreeOptions = {}): AsyncGenerator<TreeEntry> {
  const st = loc.stat;
  if (!st) throw Object.assign(new Error(`${loc.path}: no such file or directory`), { code: 'ENOENT' });
  if (opts.expectDirectory !== undefined && opts.expectDirectory !== st.isDirectory()) {
    throw new TreeChangedError(`${loc.path} changed while it was being copied (it is ${st.isDirectory() ? 'now' : 'no longer'} a directory)`);
  }
  const walk = new Walk(fs, opts);
  if (st.isDirectory()) {
    const dir = await fs.openLocated(loc).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOOP' || err.code === 'ENOTDIR') throw new TreeChangedError(`${loc.path} changed while it was being copied (it is no longer a directory)`);
      throw err;
    });
    try {
      yield baseEntry('', 'directory', await dir.stat());
      yield* walk.children(dir, '', []);
    } finally {
      await dir.close();
    }
    return;
  }
  const source = loc.mount?.source ?? (loc.parent ? loc.parent.child(loc.name) : undefined);
  if (!source) return;
  yield* walk.leaf('', st, source);
}
