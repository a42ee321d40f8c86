import { posix, resolve as resolveHost } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { release, RootedFs } from '../fs/rooted-fs.js';
import { readTree } from '../fs/tree-reader.js';
import type { TreeEntry } from '../fs/tree-entry.js';
import { writeTree } from '../fs/tree-writer.js';
import { readTarEntries, writeTarStream } from '../fs/tree-tar.js';
import type { ContainerFs } from './container-fs.js';
import { TsdockError, type ErrorKind } from '../errors.js';

/**
 * `docker cp` on RootedFs trees: the container side is the container's root, the local side
 * the host's `/`. The source is read and the destination written through the same safe
 * resolver and copier (fs/tree-reader, fs/tree-writer), so neither side can be walked out of.
 */

export class CopyError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

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
  fs: RootedFs;
  /** Its path in `fs`, after symlinks (the last one only with -L or a trailing `/`). */
  path: string;
  isDir: boolean;
  /** Name the copy gets in a destination directory. */
  name: string;
  /** Copy the directory's contents rather than the directory (`SRC/.`). */
  contentsOnly: boolean;
}

export interface CopyDestination {
  fs: RootedFs;
  /** Its path in `fs`, after symlinks. */
  path: string;
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

/** The host's tree, for the local side of a copy. */
export function openHostFs(): Promise<RootedFs> {
  return RootedFs.open('/');
}

/** A local source path (relative to the working directory), as archive.CopyInfoSourcePath reads it. */
export async function localSource(host: RootedFs, path: string, followLink: boolean): Promise<CopySource> {
  const abs = resolveHost(path);
  const follow = followLink || assertsDirectory(path);
  const loc = await host.locate(abs, { followLast: follow }).catch((err: unknown) => {
    throw osError(follow ? 'stat' : 'lstat', abs, err);
  });
  await release(loc);
  if (!loc.stat) throw osError(follow ? 'stat' : 'lstat', abs, Object.assign(new Error(), { code: 'ENOENT' }));
  if (assertsDirectory(path) && !loc.stat.isDirectory()) throw new CopyError(`${abs}: not a directory`);
  return { fs: host, path: loc.path, isDir: loc.stat.isDirectory(), name: posix.basename(abs), contentsOnly: endsWithDot(path) };
}

/** A local destination: symlinks followed; when missing, its parent must be a directory. */
export async function localDestination(host: RootedFs, path: string): Promise<CopyDestination> {
  const abs = resolveHost(path);
  const loc = await host.locate(abs, { followLast: true }).catch((err: unknown) => {
    throw osError('stat', posix.dirname(abs), err);
  });
  await release(loc);
  if (loc.stat) return { fs: host, path: loc.path, exists: true, isDir: loc.stat.isDirectory(), assertsDir: assertsDirectory(path) };
  return { fs: host, path: loc.path, exists: false, isDir: false, assertsDir: assertsDirectory(path) };
}

/** A source in the container; `containerName` is used in Docker's "Could not find" message. */
export async function containerSource(cfs: ContainerFs, containerName: string, path: string, followLink: boolean): Promise<CopySource> {
  const shown = path === '' ? '/' : path;
  const follow = followLink || assertsDirectory(path);
  const loc = await cfs.fs.locate(path, { followLast: follow }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new CopyError(`Could not find the file ${shown} in container ${containerName}`, 'not-found');
    if (err.code === 'ENOTDIR') throw new CopyError(`lstat ${posix.normalize(`/${path}`)}: not a directory`);
    throw err;
  });
  await release(loc);
  if (!loc.stat) throw new CopyError(`Could not find the file ${shown} in container ${containerName}`, 'not-found');
  if (assertsDirectory(path) && !loc.stat.isDirectory()) throw new CopyError(`lstat ${posix.normalize(`/${path}`)}: not a directory`);
  const given = posix.normalize(`/${path}`).replace(/\/\.?$/, '') || '/';
  return { fs: cfs.fs, path: loc.path, isDir: loc.stat.isDirectory(), name: posix.basename(given) || '/', contentsOnly: endsWithDot(path) };
}

/** A destination in the container: symlinks followed, writable, and only a directory or regular file. */
export async function containerDestination(cfs: ContainerFs, containerName: string, path: string): Promise<CopyDestination> {
  const loc = await cfs.fs.locate(path, { followLast: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new CopyError(`Could not find the file ${posix.dirname(posix.normalize(`/${path}`))} in container ${containerName}`, 'not-found');
    if (err.code === 'ENOTDIR') throw new CopyError('extraction point is not a directory');
    throw err;
  });
  await release(loc);
  const st = loc.stat;
  if (st) {
    if (!st.isDirectory() && !st.isFile()) throw new CopyError(`destination "${containerName}:${path}" must be a directory or a regular file`);
    const ro = cfs.readOnlyReason(loc.path);
    if (ro) throw new CopyError(ro);
    return { fs: cfs.fs, path: loc.path, exists: true, isDir: st.isDirectory(), assertsDir: assertsDirectory(path) };
  }
  const ro = cfs.readOnlyReason(posix.dirname(loc.path));
  if (ro) throw new CopyError(ro);
  return { fs: cfs.fs, path: loc.path, exists: false, isDir: false, assertsDir: assertsDirectory(path) };
}

/**
 * Copies as `docker cp` does (archive.PrepareArchiveCopy):
 *  - into an existing directory: as DIR/<name>, or only the contents for `SRC/.`;
 *  - over an existing file: a file replaces it, a directory is an error;
 *  - to a missing path: the file or directory is created with that name (a file to a path
 *    ending in `/` is an error: the directory must exist).
 * Modes and times are kept; `owner` (uid, gid) then owns every copied entry, unless undefined
 * (-a keeps the source's). Returns the path written in the destination tree.
 */
export async function copyResource(src: CopySource, dst: CopyDestination, owner: { uid: number; gid: number } | undefined): Promise<{ target: string; bytes: number }> {
  let target: string;
  if (dst.exists && dst.isDir) target = src.contentsOnly ? dst.path : posix.join(dst.path, src.name);
  else if (dst.exists && src.isDir) throw new CopyError('cannot copy directory');
  else if (dst.exists) target = dst.path;
  else if (!src.isDir && dst.assertsDir) throw new CopyError('no such directory');
  else target = dst.path;
  if (src.fs === dst.fs && src.path === target) return { target, bytes: 0 };
  let bytes = 0;
  async function* counted(): AsyncGenerator<TreeEntry> {
    for await (const e of readTree(src.fs, src.path, false, { expectDirectory: src.isDir })) {
      if (e.kind === 'file') bytes += e.size;
      yield e;
    }
  }
  await writeTree(dst.fs, target, counted(), { owner }).catch((err: Error) => {
    if (err instanceof CopyError) throw err;
    throw new CopyError(err.message);
  });
  return { target, bytes };
}

/** `cp CTR:SRC -`: a tar stream of the source on `out`, named as Docker names it. */
export async function tarTo(src: CopySource, out: Writable): Promise<void> {
  const nameOf = src.contentsOnly ? (rel: string) => (rel === '' ? './' : `./${rel}`) : (rel: string) => (rel === '' ? src.name : `${src.name}/${rel}`);
  await pipeline(writeTarStream(readTree(src.fs, src.path, false, { expectDirectory: src.isDir }), nameOf), out, { end: false });
}

/** `cp - CTR:DIR`: extracts a tar stream into an existing directory; without -a root owns what it writes. */
export async function untarFrom(input: Readable, dst: CopyDestination, keepOwners: boolean): Promise<void> {
  await writeTree(dst.fs, dst.path, readTarEntries(input), keepOwners ? {} : { owner: { uid: 0, gid: 0 } }).catch((err: Error) => {
    if (err instanceof CopyError) throw err;
    throw new CopyError(err.message);
  });
}

export interface CopyOptions {
  /** -L: follow a symlink at the source path. */
  followLink?: boolean;
  /** -a: keep the source's owners (else the copy belongs to the receiving side's root / user). */
  archive?: boolean;
}

export interface CopyReport {
  /** Bytes of regular files copied (0 for tar streams, which Docker does not report). */
  bytes: number;
  /** Where the copy went: a host path, or `CONTAINER:PATH` as resolved in the container. */
  destination: string;
}

type WithFs = <T>(container: string, fn: (cfs: ContainerFs) => Promise<T>) => Promise<T>;

/** `cp CONTAINER:SRC DEST|-`. */
export async function copyFromContainer(withFs: WithFs, container: string, path: string, to: { hostPath: string } | { stream: Writable }, opts: CopyOptions = {}): Promise<CopyReport> {
  return withFs(container, async (cfs) => {
    const source = await containerSource(cfs, container, path, opts.followLink === true);
    if ('stream' in to) {
      await tarTo(source, to.stream);
      return { bytes: 0, destination: '-' };
    }
    const host = await openHostFs();
    try {
      const dest = await localDestination(host, to.hostPath);
      const owner = opts.archive ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      const { bytes } = await copyResource(source, dest, owner);
      return { bytes, destination: dest.path };
    } finally {
      await host.close();
    }
  });
}

/** `cp SRC|- CONTAINER:DEST`. */
export async function copyToContainer(withFs: WithFs, container: string, path: string, from: { hostPath: string } | { stream: Readable }, opts: CopyOptions = {}): Promise<CopyReport> {
  if ('stream' in from) {
    return withFs(container, async (cfs) => {
      const dest = await containerDestination(cfs, container, path);
      if (!dest.exists || !dest.isDir) throw new CopyError(`destination "${container}:${path}" must be a directory`);
      await untarFrom(from.stream, dest, opts.archive === true);
      return { bytes: 0, destination: `${container}:${dest.path}` };
    });
  }
  const host = await openHostFs();
  try {
    const source = await localSource(host, from.hostPath, opts.followLink === true);
    return await withFs(container, async (cfs) => {
      const dest = await containerDestination(cfs, container, path);
      // Without -a, what is copied into a container belongs to its root user.
      const { bytes } = await copyResource(source, dest, opts.archive ? undefined : { uid: 0, gid: 0 });
      return { bytes, destination: `${container}:${dest.path}` };
    });
  } finally {
    await host.close();
  }
}
