import { closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync, rmdirSync, symlinkSync, unlinkSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import { runCommand } from '../process/run-command.js';
import { Dir, PathEscapeError, release, RootedFs, statOrUndefined } from './rooted-fs.js';
import type { TreeEntry } from './tree-entry.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/**
 * Writes TreeEntries into a RootedFs below a target path, as an extraction chrooted to the
 * root would (Docker's chrootarchive): the parent of every entry is resolved inside the root
 * (symlinks followed there, never out of it) and held open; the entry itself is created with
 * O_EXCL/O_NOFOLLOW after whatever stood at its name was removed (a symlink planted by an
 * earlier entry or source is replaced, never written through); owners, modes and times are
 * set on the open descriptor.
 */

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface TreeWriterOptions {
  /** Every entry gets this owner (COPY --chown, cp without -a); else the entry's own. */
  owner?: { uid: number; gid: number };
  /** Every entry gets these permission bits (COPY --chmod); else the entry's own. */
  mode?: number;
  /** A directory that exists already keeps its owner, mode and times (tar --no-overwrite-dir). */
  keepExistingDirs?: boolean;
  /** Called on each parent directory the writer had to create (not for entries). */
  createdParent?: (dir: Dir) => Promise<void>;
  /** Filled with the path of every directory written as an entry. */
  writtenDirs?: Set<string>;
}

export class TreeWriteError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const joinIn = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/** Removes `name` in `dir` whatever it is; a directory with everything below it, through descriptors. */
export async function removeEntry(dir: Dir, name: string): Promise<void> {
  const st = statOrUndefined(dir.child(name), false);
  if (!st) return;
  if (!st.isDirectory()) {
    unlinkSync(dir.child(name));
    return;
  }
  const sub = await dir.openChild(name, joinIn(dir.path, name));
  try {
    for (const child of readdirSync(sub.self())) await removeEntry(sub, child);
  } finally {
    await sub.close();
  }
  rmdirSync(dir.child(name));
}

/** Writes all of `chunk` at the file's current offset. */
function writeAll(fd: number, chunk: Buffer): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}

export class TreeWriter {
  /** Parent directories held open, by target path (siblings come in a row). */
  private readonly dirs = new Map<string, Dir>();
  /** Directories whose times are set last (filling a directory changes its mtime). */
  private readonly dirTimes: { path: string; atime: Date; mtime: Date }[] = [];
  /** What each entry's rel became, for hardlinks. */
  private readonly written = new Set<string>();

  constructor(
    private readonly fs: RootedFs,
    /** Path in the root where the entry with rel '' goes. */
    private readonly target: string,
    private readonly opts: TreeWriterOptions = {},
  ) {}

  private targetOf(rel: string): string {
    const clean = posix.normalize(`/${rel}`);
    if (rel !== '' && (clean === '/' || rel.split('/').includes('..'))) throw new TreeWriteError(`invalid entry name ${JSON.stringify(rel)}: it leads out of the destination`);
    return rel === '' ? posix.normalize(this.target) : posix.join(this.target, clean);
  }

  /** The open directory at `path`, made (with missing parents) when absent. */
  private async dirAt(path: string): Promise<Dir> {
    const held = this.dirs.get(path);
    if (held) return held;
    if (this.dirs.size >= 64) await this.dropDirs(() => true);
    const dir = await this.fs.mkdirAll(path, this.opts.createdParent);
    this.dirs.set(path, dir);
    return dir;
  }

  /** Forgets held directories at or below `path` (something else is written there). */
  private async dropDirs(match: (p: string) => boolean): Promise<void> {
    for (const [p, d] of [...this.dirs]) {
      if (!match(p)) continue;
      this.dirs.delete(p);
      await d.close();
    }
  }

  private owner(e: TreeEntry): { uid: number; gid: number } {
    return this.opts.owner ?? { uid: e.uid, gid: e.gid };
  }

  private mode(e: TreeEntry): number {
    return this.opts.mode ?? e.mode;
  }

  async write(e: TreeEntry): Promise<void> {
    const path = this.targetOf(e.rel);
    if (path === '/') {
      if (e.kind !== 'directory') throw new TreeWriteError('cannot replace the root directory with a non-directory');
      const root = await this.dirAt('/');
      if (!this.opts.keepExistingDirs) await this.setDirMeta(root, e, '/');
      return;
    }
    const under = (p: string) => p === path || p.startsWith(`${path}/`);
    const mount = this.fs.mounts.find((m) => m.destination === path);
    if (mount) return this.writeMountPoint(e, path);
    const parent = await this.dirAt(posix.dirname(path));
    const name = posix.basename(path);
    const existing = statOrUndefined(parent.child(name), false);
    const keepDir = e.kind === 'directory' && existing?.isDirectory() === true;
    if (existing && !keepDir) {
      await this.dropDirs(under);
      await removeEntry(parent, name);
    }
    if (e.kind === 'directory') {
      if (!keepDir) mkdirSync(parent.child(name), 0o700);
      if (!keepDir || !this.opts.keepExistingDirs) await this.setDirMeta(await this.dirAt(path), e, path);
      this.written.add(e.rel);
      return;
    }
    const { uid, gid } = this.owner(e);
    switch (e.kind) {
      case 'file': {
        const fd = openSync(parent.child(name), NEW_FILE, 0o600);
        try {
          if (e.data) for await (const chunk of e.data()) writeAll(fd, chunk);
          fchownSync(fd, uid, gid);
          fchmodSync(fd, this.mode(e)); // after chown, which clears setuid bits
          futimesSync(fd, e.atime, e.mtime);
        } finally {
          closeSync(fd);
        }
        break;
      }
      case 'symlink':
        symlinkSync(e.linkTarget ?? '', parent.child(name));
        lchownSync(parent.child(name), uid, gid);
        lutimesSync(parent.child(name), e.atime, e.mtime);
        break;
      case 'hardlink': {
        const rel = e.linkTarget ?? '';
        if (!this.written.has(posix.normalize(rel).replace(/^\.\/?/, '').replace(/\/$/, ''))) {
          throw new TreeWriteError(`hardlink ${JSON.stringify(e.rel)} points to ${JSON.stringify(rel)}, which is not part of the copy`);
        }
        const loc = await this.fs.locate(this.targetOf(rel), { followLast: false });
        try {
          if (!loc.parent || !loc.stat || loc.stat.isDirectory()) throw new TreeWriteError(`hardlink ${JSON.stringify(e.rel)}: target ${JSON.stringify(rel)} is not a file`);
          linkSync(loc.parent.child(loc.name), parent.child(name));
        } finally {
          await release(loc);
        }
        break;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const mode = (this.mode(e) & 0o7777).toString(8);
        const args = e.kind === 'fifo' ? ['-m', mode, parent.child(name), 'p'] : ['-m', mode, parent.child(name), e.kind === 'char' ? 'c' : 'b', String(e.devMajor ?? 0), String(e.devMinor ?? 0)];
        await runCommand('mknod', args);
        lchownSync(parent.child(name), uid, gid);
        lutimesSync(parent.child(name), e.atime, e.mtime);
        break;
      }
    }
    this.written.add(e.rel);
  }

  /** A volume or bind mount point of a stopped container: write into its host source. */
  private async writeMountPoint(e: TreeEntry, path: string): Promise<void> {
    const loc = await this.fs.locate(path, { followLast: false });
    try {
      if (e.kind === 'directory' && loc.stat?.isDirectory()) {
        const dir = await this.dirAt(path);
        if (!this.opts.keepExistingDirs) await this.setDirMeta(dir, e, path);
      } else if (e.kind === 'file' && loc.stat?.isFile() && loc.mount) {
        const fd = openSync(loc.mount.source, constants.O_WRONLY | constants.O_TRUNC);
        try {
          if (e.data) for await (const chunk of e.data()) writeAll(fd, chunk);
        } finally {
          closeSync(fd);
        }
      } else {
        throw new TreeWriteError(`cannot replace the mount point ${path} with a ${e.kind}`);
      }
    } finally {
      await release(loc);
    }
    this.written.add(e.rel);
  }

  private async setDirMeta(dir: Dir, e: TreeEntry, path: string): Promise<void> {
    const { uid, gid } = this.owner(e);
    await dir.chown(uid, gid);
    await dir.chmod(this.mode(e));
    this.dirTimes.push({ path, atime: e.atime, mtime: e.mtime });
    this.opts.writtenDirs?.add(dir.path);
  }

  /** Sets the directories' times (deepest first) and closes what the writer holds. */
  async finish(): Promise<void> {
    await this.dropDirs(() => true);
    for (const { path, atime, mtime } of this.dirTimes.reverse()) {
      // Times are restored best effort: a directory replaced meanwhile keeps its own.
      const dir = await this.fs.openDir(path).catch(() => undefined);
      if (!dir) continue; // replaced by a later entry
      try {
        await dir.utimes(atime, mtime);
      } finally {
        await dir.close();
      }
    }
    this.dirTimes.length = 0;
  }

  /** Closes what the writer holds without finishing (after a failure). */
  async abort(): Promise<void> {
    await this.dropDirs(() => true);
  }
}

/** Writes every entry of `entries` below `target` in `fs`. */
export async function writeTree(fs: RootedFs, target: string, entries: AsyncIterable<TreeEntry>, opts: TreeWriterOptions = {}): Promise<void> {
  const writer = new TreeWriter(fs, target, opts);
  try {
    for await (const e of entries) await writer.write(e);
    await writer.finish();
  } catch (err) {
    await writer.abort();
    if (err instanceof PathEscapeError) throw new TreeWriteError(err.message);
    throw err;
  }
}
