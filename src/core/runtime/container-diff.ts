import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isWhiteout, LowerView, OpaqueReader } from '../fs/overlay-view.js';

/**
 * `diff`: what a container changed in its filesystem, read from its overlay upper directory
 * and compared with the image's layers, the way Docker's overlay2 driver reports it.
 */

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  kind: ChangeKind;
  /** Absolute path inside the container. */
  path: string;
}

/**
 * Paths Docker keeps in a container's "init" layer (between the image and the container's own
 * layer): runc creates them as mount points in the upper dir, and Docker never reports them.
 * Their parent directories count as present in the image.
 */
const INIT_PATHS = new Set(['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab', '/.dockerenv']);
const INIT_DIRS = new Set(['/etc']);

/** A runc mount point Docker keeps out of the container's layer (diff, commit, build). */
export function isInitPath(path: string): boolean {
  return INIT_PATHS.has(path);
}

/** Docker's order: a depth-first walk with siblings sorted by their bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The changes of a container's layer (`upper`) against its image (`layersTopFirst`):
 *  - a whiteout (char device 0/0) is `D` of that path;
 *  - anything else that the image has at that path is `C`, except a directory whose owner and
 *    mode are unchanged, which shows only when something directly in it was added or deleted
 *    (or it is opaque: its image content was replaced, whose hidden entries are then `D`);
 *  - the rest is `A`.
 * Parents come before their children, as `docker diff` prints them.
 */
export async function containerChanges(upper: string, layersTopFirst: string[]): Promise<Change[]> {
  // No upper directory (never started): no changes.
  const rootSt = await lstat(upper).catch(() => undefined);
  if (!rootSt?.isDirectory()) return [];
  const opaque = new OpaqueReader();
  const dirs: string[] = [];
  await collectDirs(upper, dirs);
  await opaque.scanTree(upper, dirs);
  const lower = new LowerView(layersTopFirst, opaque);
  return walk(upper, '/', lower, opaque);
}

async function collectDirs(dir: string, out: string[]): Promise<void> {
  out.push(dir);
  // A directory removed while it is read contributes no entries.
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await collectDirs(join(dir, e.name), out);
  }
}

async function walk(upper: string, dirPath: string, lower: LowerView, opaque: OpaqueReader): Promise<Change[]> {
  const hostDir = join(upper, dirPath);
  // A directory the container removed has no entries left.
  const present = await readdir(hostDir).catch(() => [] as string[]);
  // An opaque directory hides everything the image had in it: what was not recreated is gone.
  const hidden: string[] = [];
  if (await opaque.isOpaque(hostDir)) {
    const have = new Set(present);
    if ((await lower.lookup(dirPath))?.isDirectory()) for (const n of await lower.children(dirPath)) if (!have.has(n)) hidden.push(n);
  }
  const hiddenSet = new Set(hidden);
  const out: Change[] = [];
  for (const name of [...present, ...hidden].sort(byteOrder)) {
    const path = dirPath === '/' ? `/${name}` : `${dirPath}/${name}`;
    if (INIT_PATHS.has(path)) continue;
    if (hiddenSet.has(name)) {
      out.push({ kind: 'D', path });
      continue;
    }
    const host = join(upper, path);
    // A path gone while the changes are read is skipped.
    const st = await lstat(host).catch(() => undefined);
    if (!st) continue;
    if (isWhiteout(st)) {
      out.push({ kind: 'D', path });
      continue;
    }
    const below = await lower.lookup(path);
    const inImage = below !== undefined || INIT_DIRS.has(path);
    if (!st.isDirectory()) {
      out.push({ kind: inImage ? 'C' : 'A', path });
      continue;
    }
    const children = await walk(upper, path, lower, opaque);
    let own: ChangeKind | undefined;
    if (!inImage) own = 'A';
    else if (below && (!below.isDirectory() || below.mode !== st.mode || below.uid !== st.uid || below.gid !== st.gid || (await opaque.isOpaque(host)))) own = 'C';
    else if (children.some((c) => c.kind !== 'C' && parentOf(c.path) === path)) own = 'C';
    if (own) out.push({ kind: own, path });
    out.push(...children);
  }
  return out;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
