import { access, lchown, lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, posix, resolve as resolveHost } from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ContainerManager } from './container-manager.js';
import type { ContainerRecord } from './container-record.js';
import { isMounted, mountRootfs, unmountRootfs } from './rootfs-mount.js';
import { NoSuchContainerError } from './container-id.js';
import { PathEscapeError } from './secure-join.js';
import { StoreLock } from '../store/store-lock.js';
import { runCommand } from './run-command.js';

/**
 * A container's filesystem as the container sees it, for `cp`: its root plus the volumes and
 * binds mounted into it. Paths are resolved the way securejoin does (symlinks are followed but
 * read relative to the container's root, `..` stops at `/`), so nothing resolves outside.
 */

export class CopyError extends Error {}

export interface FsMount {
  /** Normalized absolute path in the container. */
  destination: string;
  /** Host path mounted there. */
  source: string;
  readOnly: boolean;
}

export interface ResolvedPath {
  /** The path in the container after symlinks. */
  container: string;
  host: string;
  readOnly: boolean;
  /** The read-only thing `readOnly` comes from. */
  readOnlyReason?: string;
}

export class ContainerFs {
  constructor(
    /** Host directory of the container's `/`. */
    readonly root: string,
    readonly mounts: FsMount[],
    readonly rootReadOnly: boolean,
  ) {}

  private mountFor(containerPath: string): FsMount | undefined {
    let best: FsMount | undefined;
    for (const m of this.mounts) {
      if (containerPath === m.destination || containerPath.startsWith(m.destination === '/' ? '/' : `${m.destination}/`)) {
        if (!best || m.destination.length > best.destination.length) best = m;
      }
    }
    return best;
  }

  /** Host path of an already resolved container path. */
  hostPath(containerPath: string): string {
    const m = this.mountFor(containerPath);
    return m ? join(m.source, containerPath.slice(m.destination.length)) : join(this.root, containerPath);
  }

  /**
   * Resolves `path` (relative paths are from `/`). With `followLast` false a symlink in the
   * last component is kept as it is (lstat semantics), as `docker cp` does for its source.
   */
  async resolve(path: string, followLast: boolean): Promise<ResolvedPath> {
    let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
    let resolved: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      if (pending.length === 0 && !followLast) {
        resolved.push(part);
        break;
      }
      const candidate = `/${[...resolved, part].join('/')}`;
      const st = await lstat(this.hostPath(candidate)).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        if (++links > 40) throw new PathEscapeError(`too many levels of symbolic links resolving ${path}`);
        const target = await readlink(this.hostPath(candidate));
        if (target.startsWith('/')) resolved = [];
        pending = [...target.split('/').filter(Boolean), ...pending];
        continue;
      }
      resolved.push(part);
    }
    const container = `/${resolved.join('/')}`;
    const m = this.mountFor(container);
    const readOnly = m ? m.readOnly : this.rootReadOnly;
    return { container, host: this.hostPath(container), readOnly, readOnlyReason: readOnly ? (m ? 'mounted volume is marked read-only' : 'container rootfs is marked read-only') : undefined };
  }
}

/**
 * Runs `fn` with the container's filesystem reachable: a running container through
 * /proc/<pid>/root (which also shows its tmpfs and volume mounts); a stopped one by mounting its
 * overlay (image layers + its upper dir) for the time of the call, with its volumes and binds
 * mapped in. The container's lock is held throughout, so it cannot start or be removed while
 * its files are being copied.
 */
export async function withContainerFs<T>(
  manager: ContainerManager,
  query: string,
  layerDirsTopFirst: (rec: ContainerRecord) => Promise<string[]>,
  fn: (fs: ContainerFs, rec: ContainerRecord) => Promise<T>,
): Promise<T> {
  const found = await manager.find(query);
  const lock = new StoreLock(join(manager.paths.root, 'container-locks', found.id), 60_000);
  return lock.withLock(async () => {
    const rec = await manager.containers.get(found.id);
    if (!rec) throw new NoSuchContainerError(query);
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      const pid = rec.state.pid || (await manager.runc.state(rec.id).catch(() => undefined))?.pid || 0;
      const procRoot = `/proc/${pid}/root`;
      if (pid > 0 && (await access(procRoot).then(() => true, () => false))) {
        return fn(new ContainerFs(procRoot, [], rec.request.readOnlyRootfs), rec);
      }
    }
    const merged = manager.paths.merged(rec.id);
    let mountedHere = false;
    if (!(await isMounted(merged))) {
      await mountRootfs({ layerDirsTopFirst: await layerDirsTopFirst(rec), upper: manager.paths.upper(rec.id), work: manager.paths.work(rec.id), merged, linkDir: manager.paths.layerLinks(rec.id) });
      mountedHere = true;
    }
    try {
      return await fn(new ContainerFs(merged, await stoppedMounts(manager, rec), rec.request.readOnlyRootfs), rec);
    } finally {
      if (mountedHere) await unmountRootfs(merged).catch(() => {});
    }
  });
}

/** What the container has mounted when it runs, for the ones that live on the host. */
async function stoppedMounts(manager: ContainerManager, rec: ContainerRecord): Promise<FsMount[]> {
  const exists = (p: string) => access(p).then(() => true, () => false);
  const mounts: FsMount[] = [];
  for (const b of rec.request.binds) mounts.push({ destination: posix.normalize(b.destination), source: b.source, readOnly: b.readOnly });
  for (const v of rec.request.volumes) {
    const data = manager.volumes.dataPath(v.name);
    if (await exists(data)) mounts.push({ destination: posix.normalize(v.destination), source: data, readOnly: v.readOnly });
  }
  for (const [dest, file] of [['/etc/hosts', manager.paths.hosts(rec.id)], ['/etc/hostname', manager.paths.hostname(rec.id)], ['/etc/resolv.conf', manager.paths.resolvConf(rec.id)]] as const) {
    if (await exists(file)) mounts.push({ destination: dest, source: file, readOnly: false });
  }
  return mounts;
}

// ---- docker cp semantics ----

/** `CONTAINER:PATH` or a local path (an absolute path, or one starting with `.`, is always local). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** A path ending in `/.` means "the contents of this directory". */
export function endsWithDot(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

/** A path ending in `/` (or `/.`) asserts a directory. */
export function assertsDirectory(p: string): boolean {
  return p.endsWith('/') || endsWithDot(p);
}

export interface CopySource {
  /** Host path of the thing to copy (after following a link with -L). */
  host: string;
  isDir: boolean;
  /** Name the copy gets in a destination directory. */
  name: string;
  /** Copy the directory's contents rather than the directory (`SRC/.`). */
  contentsOnly: boolean;
}

export interface CopyDestination {
  host: string;
  exists: boolean;
  isDir: boolean;
  /** The destination was written with a trailing `/`. */
  assertsDir: boolean;
}

/** Go's os error text for an errno, as Docker prints it. */
function osError(op: string, path: string, err: unknown): CopyError {
  const code = (err as NodeJS.ErrnoException).code;
  const text = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new CopyError(`${op} ${path}: ${text}`);
}

/** A local source path (relative to the working directory), as archive.CopyInfoSourcePath reads it. */
export async function localSource(path: string, followLink: boolean): Promise<CopySource> {
  const abs = preserveTrailing(resolveHost(path), path);
  const follow = followLink || assertsDirectory(path);
  let st: Stats;
  try {
    st = follow ? await stat(abs) : await lstat(abs);
  } catch (err) {
    throw osError(follow ? 'stat' : 'lstat', abs, err);
  }
  if (assertsDirectory(path) && !st.isDirectory()) throw new CopyError(`${abs}: not a directory`);
  return { host: abs.replace(/\/\.?$/, '') || '/', isDir: st.isDirectory(), name: posix.basename(abs.replace(/\/\.?$/, '')), contentsOnly: endsWithDot(path) };
}

/** A local destination: symlinks followed; when missing, its parent must be a directory. */
export async function localDestination(path: string): Promise<CopyDestination> {
  const abs = resolveHost(path);
  const st = await stat(abs).catch(() => undefined);
  if (st) return { host: await realpath(abs), exists: true, isDir: st.isDirectory(), assertsDir: assertsDirectory(path) };
  const parent = posix.dirname(abs);
  let pst: Stats;
  try {
    pst = await stat(parent);
  } catch (err) {
    throw osError('stat', parent, err);
  }
  if (!pst.isDirectory()) throw new CopyError(`stat ${parent}: not a directory`);
  return { host: abs, exists: false, isDir: false, assertsDir: assertsDirectory(path) };
}

/** A source in the container; `containerName` is used in Docker's "Could not find" message. */
export async function containerSource(fs: ContainerFs, containerName: string, path: string, followLink: boolean): Promise<CopySource & { resolved: ResolvedPath }> {
  const shown = path === '' ? '/' : path;
  const follow = followLink || assertsDirectory(path);
  const r = await fs.resolve(path, follow);
  const st = await lstat(r.host).catch(() => undefined);
  if (!st) throw new CopyError(`Could not find the file ${shown} in container ${containerName}`);
  if (assertsDirectory(path) && !st.isDirectory()) throw new CopyError(`lstat ${posix.normalize(`/${path}`)}: not a directory`);
  const given = posix.normalize(`/${path}`).replace(/\/\.?$/, '') || '/';
  return { host: r.host, isDir: st.isDirectory(), name: posix.basename(given) || '/', contentsOnly: endsWithDot(path), resolved: r };
}

/** A destination in the container: symlinks followed, writable, and only a directory or regular file. */
export async function containerDestination(fs: ContainerFs, containerName: string, path: string): Promise<CopyDestination & { resolved: ResolvedPath }> {
  const r = await fs.resolve(path, true);
  const st = await lstat(r.host).catch(() => undefined);
  if (st) {
    if (!st.isDirectory() && !st.isFile()) throw new CopyError(`destination "${containerName}:${path}" must be a directory or a regular file`);
    if (r.readOnly) throw new CopyError(r.readOnlyReason!);
    return { host: r.host, exists: true, isDir: st.isDirectory(), assertsDir: assertsDirectory(path), resolved: r };
  }
  const parent = await fs.resolve(posix.dirname(r.container), true);
  const pst = await lstat(parent.host).catch(() => undefined);
  if (!pst) throw new CopyError(`Could not find the file ${parent.container} in container ${containerName}`);
  if (!pst.isDirectory()) throw new CopyError('extraction point is not a directory');
  if (parent.readOnly) throw new CopyError(parent.readOnlyReason!);
  return { host: r.host, exists: false, isDir: false, assertsDir: assertsDirectory(path), resolved: r };
}

/**
 * Copies as `docker cp` does (archive.PrepareArchiveCopy):
 *  - into an existing directory: as DIR/<name>, or only the contents for `SRC/.`;
 *  - over an existing file: a file replaces it, a directory is an error;
 *  - to a missing path: the file or directory is created with that name (a file to a path
 *    ending in `/` is an error: the directory must exist).
 * The copy is `cp -a`; `owner` (uid, gid) then owns every copied entry, unless undefined (-a).
 * Returns the paths written.
 */
export async function copyResource(src: CopySource, dst: CopyDestination, owner: { uid: number; gid: number } | undefined): Promise<string> {
  let target: string;
  if (dst.exists && dst.isDir) target = src.contentsOnly ? dst.host : join(dst.host, src.name);
  else if (dst.exists && src.isDir) throw new CopyError('cannot copy directory');
  else if (dst.exists) target = dst.host;
  else if (!src.isDir && dst.assertsDir) throw new CopyError('no such directory');
  else target = dst.host;
  if (src.host === target) return target;
  // -T: `target` is the copy itself, never a directory to copy into; --remove-destination: an
  // existing file (or a symlink) is replaced rather than written through.
  await runCommand('cp', ['-a', '-T', '--remove-destination', '--', src.host, target]).catch((err: Error) => {
    throw new CopyError(err.message.replace(/^cp -a failed \(exit \d+\): /, ''));
  });
  if (owner) await chownCopied(src.host, target, owner);
  return target;
}

/** lchown of every entry of the copy (only those that came from the source). */
async function chownCopied(srcHost: string, target: string, owner: { uid: number; gid: number }): Promise<void> {
  await lchown(target, owner.uid, owner.gid);
  const st = await lstat(srcHost);
  if (!st.isDirectory()) return;
  for (const e of await readdir(srcHost, { withFileTypes: true })) {
    const s = join(srcHost, e.name);
    const t = join(target, e.name);
    if (e.isDirectory()) await chownCopied(s, t, owner);
    else await lchown(t, owner.uid, owner.gid).catch(() => {});
  }
}

/** Bytes of regular files in a tree (what `docker cp` reports as copied). */
export async function contentSize(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of await readdir(path)) total += await contentSize(join(path, e));
  return total;
}

/** `cp CTR:SRC -`: a tar stream of the source on `out`. */
export async function tarTo(src: CopySource, out: Writable): Promise<void> {
  const args = src.contentsOnly ? ['-C', src.host, '-cf', '-', '.'] : ['-C', posix.dirname(src.host), '-cf', '-', '--', posix.basename(src.host)];
  await runTar(args, undefined, out);
}

/** `cp - CTR:DIR`: extracts a tar stream into an existing directory. */
export async function untarFrom(input: Readable, dstDir: string, keepOwners: boolean): Promise<void> {
  await runTar(['-C', dstDir, '-xf', '-', ...(keepOwners ? ['--same-owner'] : ['--no-same-owner'])], input, undefined);
}

function runTar(args: string[], input: Readable | undefined, out: Writable | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: [input ? 'pipe' : 'ignore', out ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (out) child.stdout!.pipe(out, { end: false });
    if (input) input.pipe(child.stdin!).on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CopyError(stderr.trim() || `tar exited with ${code}`))));
  });
}

/** filepath.Abs drops a trailing `/` or `/.`, which carry meaning for cp: keep them. */
function preserveTrailing(abs: string, original: string): string {
  if (endsWithDot(original) && !abs.endsWith('/.')) return `${abs === '/' ? '' : abs}/.`;
  if (original.endsWith('/') && !abs.endsWith('/')) return `${abs}/`;
  return abs;
}
