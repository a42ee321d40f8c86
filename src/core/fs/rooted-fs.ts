import { closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, lstatSync, mkdirSync, openSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { TsdockError, type ErrorKind } from '../errors.js';

/**
 * The one way tsdock opens paths inside a tree it does not trust (a container's root, a build
 * context, a stage's root, a layer being written): every path is resolved one component at a
 * time on directory file descriptors held open, with symlinks read and re-resolved *inside*
 * the root (`..` stops at `/`), the way openat2(RESOLVE_IN_ROOT) does. Nothing is ever opened
 * by a host path that a later swap could redirect: each step opens `/proc/<pid>/fd/<dirfd>/<name>`
 * with O_NOFOLLOW, which names exactly the directory the descriptor holds, so a directory
 * replaced by a symlink between two steps fails the step instead of leading out of the root.
 *
 * The system calls are the synchronous ones: each is a few microseconds on a local file
 * system, and a copy makes several per file, where a round trip through libuv's thread pool
 * cost ten times the call (measured: cp of 3,000 files 4-9 s async, under 1 s sync).
 */

export class PathEscapeError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** A mount the tree has at a path (volumes and binds of a stopped container). */
export interface RootMount {
  /** Absolute, normalized path in the tree. */
  destination: string;
  /** Host path mounted there (chosen by the user, trusted). */
  source: string;
  readOnly: boolean;
}

export const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const MAX_LINKS = 40;
const MAX_SWAPS = 20;

/** A directory held open; single names below it are reached through `child(name)`. */
export class Dir {
  private open = true;

  constructor(
    /** The directory's descriptor. */
    readonly fd: number,
    /** Its path in the tree (after symlinks), for messages and mount look-ups. */
    readonly path: string,
  ) {}

  /**
   * A path naming `name` in exactly this directory. Only for system calls that do not follow
   * a symlink in their last component (lstat, mkdir, symlink, lchown, unlink, rename, link,
   * readlink, open with O_NOFOLLOW or O_EXCL).
   */
  child(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new PathEscapeError(`invalid path component ${JSON.stringify(name)}`);
    return `/proc/${process.pid}/fd/${this.fd}/${name}`;
  }

  /** The directory itself, as a path (for readdir, fchmod-like calls through the fd's path). */
  self(): string {
    return `/proc/${process.pid}/fd/${this.fd}`;
  }

  /** Opens the directory `name` below this one; a symlink or non-directory there fails (ELOOP/ENOTDIR). */
  async openChild(name: string, path: string): Promise<Dir> {
    return new Dir(openSync(this.child(name), DIR_FLAGS), path);
  }

  async stat(): Promise<Stats> {
    return fstatSync(this.fd);
  }

  async chown(uid: number, gid: number): Promise<void> {
    fchownSync(this.fd, uid, gid);
  }

  async chmod(mode: number): Promise<void> {
    fchmodSync(this.fd, mode);
  }

  async utimes(atime: Date, mtime: Date): Promise<void> {
    futimesSync(this.fd, atime, mtime);
  }

  /** Closes the descriptor (once: a second call does nothing). */
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }
}

/** What a path names in the tree, with its parent directory held open. */
export interface Located {
  /** The path in the tree after symlinks. */
  path: string;
  /** The directory holding it; undefined for the root itself or a mount's own root. */
  parent?: Dir;
  /** Its name in `parent`. */
  name: string;
  /** lstat of the entry (of the mount source for a mount point); undefined when it does not exist. */
  stat?: Stats;
  /** A mount whose destination is exactly this path: reach it by `mount.source`. */
  mount?: RootMount;
}

function isRetryable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ELOOP' || code === 'ENOTDIR' || code === 'ENOENT';
}

const splitPath = (p: string) => p.split('/').filter((s) => s !== '' && s !== '.');
const joinIn = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/**
 * A directory tree opened as a root. Close it when done (it holds the root's descriptor).
 * Relative and absolute paths are both taken from the root.
 */
export class RootedFs {
  private constructor(
    private readonly rootDir: Dir,
    /** Host path of the root, for messages only (never reopened by path). */
    readonly hostRoot: string,
    readonly mounts: RootMount[],
  ) {}

  /** Opens `hostDir` as the root (following symlinks in the host path: the caller names it). */
  static async open(hostDir: string, mounts: RootMount[] = []): Promise<RootedFs> {
    const fd = openSync(hostDir, constants.O_RDONLY | constants.O_DIRECTORY);
    return new RootedFs(new Dir(fd, '/'), hostDir, mounts.map((m) => ({ ...m, destination: posix.normalize(`/${m.destination}`) })));
  }

  get root(): Dir {
    return this.rootDir;
  }

  async close(): Promise<void> {
    await this.rootDir.close();
  }

  /** The mount with the longest destination at or above `path`. */
  mountFor(path: string): RootMount | undefined {
    let best: RootMount | undefined;
    for (const m of this.mounts) {
      if (path === m.destination || path.startsWith(m.destination === '/' ? '/' : `${m.destination}/`)) {
        if (!best || m.destination.length > best.destination.length) best = m;
      }
    }
    return best;
  }

  private mountAt(path: string): RootMount | undefined {
    return this.mounts.find((m) => m.destination === path && m.destination !== '/');
  }

  /**
   * Resolves `path`. Symlinks in every component but the last are followed inside the root;
   * the last one too when `followLast`. A missing component before the last is ENOENT, a
   * non-directory one ENOTDIR. The returned parent is open: pass the result to `release`.
   */
  async locate(path: string, opts: { followLast: boolean }): Promise<Located> {
    return this.walk(path, opts.followLast, false);
  }

  /**
   * Makes `path` exist as a directory (symlinks followed inside the root, as `mkdir -p` in a
   * chroot) and returns it open. `created` runs for each directory this call made, on its
   * open descriptor, with its path in the tree.
   */
  async mkdirAll(path: string, created?: (dir: Dir) => Promise<void>): Promise<Dir> {
    const loc = await this.walk(path, true, true, created);
    try {
      return await this.openLocated(loc);
    } finally {
      await release(loc);
    }
  }

  /** Opens the directory `path` names (all symlinks followed inside the root). */
  async openDir(path: string): Promise<Dir> {
    const loc = await this.locate(path, { followLast: true });
    try {
      return await this.openLocated(loc);
    } finally {
      await release(loc);
    }
  }

  /** Opens a located directory: the root, a mount's source, or a real directory under its parent. */
  async openLocated(loc: Located): Promise<Dir> {
    if (loc.mount) return new Dir(openSync(loc.mount.source, constants.O_RDONLY | constants.O_DIRECTORY), loc.path);
    if (!loc.parent) return this.dupRoot();
    if (!loc.stat) throw Object.assign(new Error(`${loc.path}: no such file or directory`), { code: 'ENOENT' });
    return loc.parent.openChild(loc.name, loc.path);
  }

  private async walk(path: string, followLast: boolean, create: boolean, created?: (dir: Dir) => Promise<void>): Promise<Located> {
    // The directories from the root down to where the walk is; `..` pops (never above the root).
    const stack: Dir[] = [this.rootDir];
    const top = () => stack[stack.length - 1]!;
    const closeAbove = async (depth: number) => {
      while (stack.length > depth) await stack.pop()!.close();
    };
    let pending = splitPath(path);
    let links = 0;
    let swaps = 0;
    try {
      while (pending.length > 0) {
        const part = pending.shift()!;
        if (part === '..') {
          if (stack.length > 1) await stack.pop()!.close();
          continue;
        }
        const dir = top();
        const here = joinIn(dir.path, part);
        const last = pending.length === 0;
        const mount = this.mountAt(here);
        if (mount) {
          const st = statOrUndefined(mount.source, true);
          if (last) return { path: here, parent: undefined, name: part, stat: st, mount };
          if (!st?.isDirectory()) throw Object.assign(new Error(`${here}: not a directory`), { code: 'ENOTDIR' });
          stack.push(new Dir(openSync(mount.source, constants.O_RDONLY | constants.O_DIRECTORY), here));
          continue;
        }
        let st = statOrUndefined(dir.child(part), false);
        if (st?.isSymbolicLink() && (!last || followLast)) {
          if (++links > MAX_LINKS) throw new PathEscapeError(`too many levels of symbolic links resolving ${path}`);
          const target = readlinkSync(dir.child(part));
          if (target.startsWith('/')) await closeAbove(1);
          pending = [...splitPath(target), ...pending];
          continue;
        }
        if (last && !create) {
          if (dir === this.rootDir) return { path: here, parent: await this.dupRoot(), name: part, stat: st };
          stack.pop();
          return { path: here, parent: dir, name: part, stat: st };
        }
        if (!st && create) {
          try {
            mkdirSync(dir.child(part), 0o755);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          }
          st = lstatSync(dir.child(part));
          if (st.isDirectory() && created) {
            const made = await dir.openChild(part, here);
            try {
              await created(made);
            } finally {
              await made.close();
            }
          }
          if (!st.isDirectory()) {
            // Something else appeared there meanwhile: look again.
            if (++swaps > MAX_SWAPS) throw new PathEscapeError(`${here} keeps changing while it is resolved`);
            pending.unshift(part);
            continue;
          }
        }
        if (!st) throw Object.assign(new Error(`${here}: no such file or directory`), { code: 'ENOENT' });
        if (!st.isDirectory()) throw Object.assign(new Error(`${here}: not a directory`), { code: 'ENOTDIR' });
        try {
          stack.push(await dir.openChild(part, here));
        } catch (err) {
          // Swapped for a symlink or removed after the lstat: resolve this component again.
          if (!isRetryable(err) || ++swaps > MAX_SWAPS) throw err;
          pending.unshift(part);
        }
      }
      // The path names a directory already open on the stack (or the root).
      const dir = stack.pop()!;
      if (dir === this.rootDir) {
        stack.push(dir);
        return { path: '/', parent: undefined, name: '', stat: await dir.stat() };
      }
      const mount = this.mountAt(dir.path);
      const st = await dir.stat();
      await dir.close();
      if (mount) return { path: dir.path, parent: undefined, name: posix.basename(dir.path), stat: st, mount };
      // Hand out its parent, the directory below it on the stack.
      return await this.walkParentOf(dir.path, st, stack);
    } finally {
      // Everything still on the stack except the root, and except a parent handed out.
      for (const d of stack) if (d !== this.rootDir) await d.close();
    }
  }

  /** A second descriptor of the root, for callers that close what they are given. */
  private async dupRoot(): Promise<Dir> {
    return new Dir(openSync(this.rootDir.self(), constants.O_RDONLY | constants.O_DIRECTORY), '/');
  }

  /** The parent of a directory just resolved to `path`, opened again (the stack holds it). */
  private async walkParentOf(path: string, st: Stats, stack: Dir[]): Promise<Located> {
    const parent = stack.pop()!;
    const name = posix.basename(path);
    if (parent === this.rootDir) {
      stack.push(parent);
      return { path, parent: await this.dupRoot(), name, stat: st };
    }
    return { path, parent, name, stat: st };
  }
}

/** stat (or lstat) of a path; undefined when it does not exist. */
export function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Closes what a Located holds. */
export async function release(loc: Located): Promise<void> {
  if (loc.parent) await loc.parent.close();
}
