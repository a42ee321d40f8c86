import { chmod, chown, copyFile, lchown, lstat, lutimes, mkdir, open, readFile, symlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isWhiteout, type LowerView } from '../runtime/container-diff.js';
import { runCommand } from '../runtime/run-command.js';
import { resolveUser } from '../runtime/user-resolution.js';
import { listCopyTree, type CopySource } from './copy-sources.js';
import type { IgnoreMatcher } from './dockerignore.js';

export class CopyStepError extends Error {}

export interface Owner {
  uid: number;
  gid: number;
}

/** What one COPY/ADD writes, resolved: sources found, destination absolute, owner known. */
export interface CopyPlan {
  instruction: 'COPY' | 'ADD';
  sources: CopySource[];
  ignore?: IgnoreMatcher;
  /** Absolute in the image; a trailing `/` means "into this directory". */
  dest: string;
  owner: Owner;
  /** --chmod, applied to everything copied. */
  mode?: number;
  /** The image below: existing directories are copied into, and keep their owner and mode. */
  lower: LowerView;
}

/** The image's view of one file, for /etc/passwd and /etc/group (--chown names). */
export async function readImageFile(layersTopFirst: string[], lower: LowerView, path: string): Promise<string | undefined> {
  if (!(await lower.lookup(path))?.isFile()) return undefined;
  for (const layer of layersTopFirst) {
    const abs = join(layer, path);
    const st = await lstat(abs).catch(() => undefined);
    if (st && !isWhiteout(st)) return readFile(abs, 'utf8').catch(() => undefined);
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

/** ADD extracts local archives: tar, possibly gzip/bzip2/xz compressed, recognised by content. */
export async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead);
    if (head[0] === 0x1f && head[1] === 0x8b) return true;
    if (head.subarray(0, 3).toString('latin1') === 'BZh') return true;
    if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}

/**
 * Makes `path` (absolute in the image) exist as a directory in the staging tree, with each
 * missing level taking the owner, mode and times the image has there (so the layer does not
 * change existing directories), or root 0755 for levels the image lacks.
 */
export async function stageDirectory(staging: string, path: string, lower: LowerView, fresh?: { owner: Owner; mode?: number }): Promise<string> {
  const parts = path.split('/').filter(Boolean);
  let abs = staging;
  let cur = '';
  for (const [i, part] of parts.entries()) {
    abs = join(abs, part);
    cur = `${cur}/${part}`;
    if ((await lstat(abs).catch(() => undefined))?.isDirectory()) continue;
    await mkdir(abs);
    const below = await lower.lookup(cur);
    if (below?.isDirectory()) {
      await chown(abs, below.uid, below.gid);
      await chmod(abs, below.mode & 0o7777);
      await utimes(abs, below.atime, below.mtime);
    } else {
      const last = i === parts.length - 1;
      const owner = last && fresh ? fresh.owner : { uid: 0, gid: 0 };
      await chown(abs, owner.uid, owner.gid);
      await chmod(abs, last && fresh?.mode !== undefined ? fresh.mode : 0o755);
    }
  }
  return abs;
}

/** Writes what the COPY/ADD adds into `staging` (an empty dir standing for the image root). */
export async function stageCopy(staging: string, plan: CopyPlan): Promise<void> {
  const { dest, lower } = plan;
  const destIsDir = dest.endsWith('/') || plan.sources.length > 1 || (await lower.lookup(dest))?.isDirectory() === true;
  if (plan.sources.length > 1 && !dest.endsWith('/')) {
    throw new CopyStepError(`When using ${plan.instruction} with more than one source file, the destination must be a directory and end with a /`);
  }
  const fresh = { owner: plan.owner, mode: plan.mode };
  const dirTimes: [string, Date, Date][] = [];
  for (const source of plan.sources) {
    const entries = await listCopyTree(source, plan.ignore);
    const top = entries[0]!;
    if (top.type === 'directory') {
      const root = await stageDirectory(staging, dest, lower, fresh);
      for (const e of entries.slice(1)) await stageEntry(join(root, e.subPath), e, plan, dirTimes);
      continue;
    }
    if (plan.instruction === 'ADD' && top.type === 'file' && (await isArchive(top.abs))) {
      const root = await stageDirectory(staging, dest, lower, fresh);
      // GNU tar handles every compression and, as root, keeps the archive's owners and modes
      // (Docker's ADD does too); it refuses members with `..` and strips leading `/`.
      await runCommand('tar', ['-x', '--no-overwrite-dir', '-f', top.abs, '-C', root]);
      continue;
    }
    const target = destIsDir ? posix.join(dest, posix.basename(source.rel)) : dest;
    const parent = await stageDirectory(staging, posix.dirname(target), lower);
    await stageEntry(join(parent, posix.basename(target)), top, plan, dirTimes);
  }
  // Directory times last: filling a directory changes its mtime.
  for (const [abs, atime, mtime] of dirTimes.reverse()) await utimes(abs, atime, mtime);
}

async function stageEntry(abs: string, e: Awaited<ReturnType<typeof listCopyTree>>[number], plan: CopyPlan, dirTimes: [string, Date, Date][]): Promise<void> {
  const { uid, gid } = plan.owner;
  const st = await lstat(e.abs);
  switch (e.type) {
    case 'directory':
      await mkdir(abs, { recursive: true });
      await chown(abs, uid, gid);
      await chmod(abs, plan.mode ?? e.mode);
      dirTimes.push([abs, st.atime, st.mtime]);
      return;
    case 'file':
      await copyFile(e.abs, abs);
      await chown(abs, uid, gid);
      await chmod(abs, plan.mode ?? e.mode); // after chown, which clears setuid bits
      await utimes(abs, st.atime, st.mtime);
      return;
    case 'symlink':
      await symlink(e.linkTarget ?? '', abs);
      await lchown(abs, uid, gid);
      await lutimes(abs, st.atime, st.mtime);
      return;
    default:
      return; // sockets, devices and FIFOs in a context are not copied (as Docker)
  }
}
