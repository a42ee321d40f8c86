import { constants } from 'node:fs';
import { lstat, lutimes, open, readdir, type FileHandle } from 'node:fs/promises';
import { readFileInRoot } from '../fs/root-files.js';
import { join, posix } from 'node:path';
import { isWhiteout, type LowerView } from '../fs/overlay-view.js';
import { resolveUser } from '../runtime/user-resolution.js';
import { release, type Dir, type RootedFs } from '../fs/rooted-fs.js';
import { TreeWriter, writeTree } from '../fs/tree-writer.js';
import { decompressedArchive, readTarEntries } from '../fs/tree-tar.js';
import { readCopyTree, type CopySource } from './copy-sources.js';
import type { IgnoreMatcher } from './dockerignore.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class CopyStepError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface Owner {
  uid: number;
  gid: number;
}

/** What one COPY/ADD writes, resolved: sources found, destination absolute, owner known. */
export interface CopyPlan {
  instruction: 'COPY' | 'ADD';
  /** The tree the sources are in (the context, or a stage's root for --from). */
  from: RootedFs;
  sources: CopySource[];
  ignore?: IgnoreMatcher;
  /** Absolute in the image; a trailing `/` means "into this directory". */
  dest: string;
  owner: Owner;
  /** --chmod, applied to everything copied. */
  mode?: number;
  /** Filled with the directories written as entries (whose times come from the source). */
  writtenDirs: Set<string>;
}

/** The image's view of one file, for /etc/passwd and /etc/group (--chown names). */
export async function readImageFile(layersTopFirst: string[], lower: LowerView, path: string): Promise<string | undefined> {
  if (!(await lower.lookup(path))?.isFile()) return undefined;
  for (const layer of layersTopFirst) {
    const abs = join(layer, path);
    // Not in this layer: the caller looks in the next one.
    const st = await lstat(abs).catch(() => undefined);
    // Read inside the layer: a symlink in it (an image's `etc -> /root`) never reaches the host.
    if (st && !isWhiteout(st)) return readFileInRoot(layer, path);
  }
  return undefined;
}

/**
 * `--chown=user[:group]` against the image's passwd/group files. As Docker: a user without a
 * group (or a uid without a gid) uses the uid as the gid.
 */
export function resolveChown(spec: string, passwd: string | undefined, group: string | undefined): Owner {
  const r = resolveUser(spec, passwd, group);
  return { uid: r.uid, gid: spec.includes(':') ? r.gid : r.uid };
}

/** `--chmod=0755`: octal permission bits. */
export function parseChmod(spec: string): number {
  if (!/^[0-7]{3,4}$/.test(spec)) throw new CopyStepError(`invalid --chmod value "${spec}": expected octal permission bits such as 0755`);
  return parseInt(spec, 8);
}

const ARCHIVE_MAGIC_BYTES = 512;

/** ADD extracts local archives: tar, possibly gzip/bzip2/xz compressed, recognised by content. */
export function isArchiveHead(head: Buffer): boolean {
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

/** A regular file of the source tree, opened without following a symlink at its name. */
async function openSourceFile(from: RootedFs, path: string): Promise<FileHandle> {
  const loc = await from.locate(path, { followLast: false });
  try {
    if (!loc.parent || !loc.stat?.isFile()) throw new CopyStepError(`${path}: not a regular file`);
    return await open(loc.parent.child(loc.name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } finally {
    await release(loc);
  }
}

/** The first bytes of a file (for the archive check). */
async function readHead(fh: FileHandle): Promise<Buffer> {
  const buf = Buffer.alloc(ARCHIVE_MAGIC_BYTES);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  return buf.subarray(0, bytesRead);
}

/** New parent directories: root's, 0755 (as Docker creates them). */
export async function rootOwnedDir(dir: Dir): Promise<void> {
  await dir.chown(0, 0);
  await dir.chmod(0o755);
}

/**
 * Makes the destination directory exist in the image root; when this call creates it, it
 * gets the COPY's owner and mode (its parents get root's).
 */
async function destinationDir(root: RootedFs, path: string, fresh: { owner: Owner; mode?: number }): Promise<void> {
  const created = new Set<string>();
  const dir = await root.mkdirAll(path, async (d) => {
    created.add(d.path);
    await rootOwnedDir(d);
  });
  try {
    if (created.has(dir.path)) {
      await dir.chown(fresh.owner.uid, fresh.owner.gid);
      await dir.chmod(fresh.mode ?? 0o755);
    }
  } finally {
    await dir.close();
  }
}

/**
 * Writes what the COPY/ADD adds into `root`, the image's root as an overlay shows it (see
 * layer-overlay): destinations are resolved inside it, a symlink there is followed inside it,
 * and a symlink at an entry's own name is replaced.
 */
export async function copyIntoRoot(root: RootedFs, plan: CopyPlan): Promise<void> {
  const { dest } = plan;
  if (plan.sources.length > 1 && !dest.endsWith('/')) {
    throw new CopyStepError(`When using ${plan.instruction} with more than one source file, the destination must be a directory and end with a /`);
  }
  // A destination that does not resolve does not exist yet: it is created.
  const existing = await root.locate(dest, { followLast: true }).catch(() => undefined);
  if (existing) await release(existing);
  const destIsDir = dest.endsWith('/') || plan.sources.length > 1 || existing?.stat?.isDirectory() === true;
  const fresh = { owner: plan.owner, mode: plan.mode };
  const options = { owner: plan.owner, mode: plan.mode, createdParent: rootOwnedDir, writtenDirs: plan.writtenDirs };
  for (const source of plan.sources) {
    const top = await plan.from.locate(source.path, { followLast: false });
    await release(top);
    if (top.stat?.isDirectory()) {
      await destinationDir(root, dest, fresh);
      const writer = new TreeWriter(root, dest, options);
      try {
        for await (const e of readCopyTree(plan.from, source, plan.ignore)) if (e.rel !== '') await writer.write(e);
        await writer.finish();
      } finally {
        await writer.abort();
      }
      continue;
    }
    if (plan.instruction === 'ADD' && top.stat?.isFile()) {
      const fh = await openSourceFile(plan.from, source.path);
      try {
        const head = await readHead(fh);
        if (isArchiveHead(head)) {
          await destinationDir(root, dest, fresh);
          // As Docker's ADD: the archive's owners and modes are kept, directories that exist keep theirs.
          await writeTree(root, dest, readTarEntries(decompressedArchive(fh.createReadStream({ start: 0, autoClose: false }), head)), { keepExistingDirs: true, createdParent: rootOwnedDir, writtenDirs: plan.writtenDirs });
          continue;
        }
      } finally {
        await fh.close();
      }
    }
    const target = destIsDir ? posix.join(dest, posix.basename(source.rel)) : dest;
    await writeTree(root, target, readCopyTree(plan.from, source, plan.ignore), options);
  }
}

/**
 * Gives the directories a step only wrote into (copied up by the overlay, not copied
 * themselves) back the times the image has for them, so the layer does not change them and
 * the same step always gives the same layer.
 */
export async function restoreCopiedUpTimes(upper: string, lower: LowerView, written: Set<string>): Promise<void> {
  const walk = async (abs: string, path: string): Promise<void> => {
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const childPath = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
      await walk(join(abs, e.name), childPath);
    }
    if (written.has(path)) return;
    const below = await lower.lookup(path);
    if (below?.isDirectory()) await lutimes(abs, below.atime, below.mtime);
  };
  await walk(upper, '/');
}
