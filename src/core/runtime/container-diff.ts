import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';

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

/** An overlayfs whiteout: a character device 0/0. */
export function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Reads `trusted.overlay.opaque` of directories with getfattr, cached (one call per directory). */
export class OpaqueReader {
  private readonly cache = new Map<string, Promise<boolean>>();

  isOpaque(dir: string): Promise<boolean> {
    let p = this.cache.get(dir);
    if (!p) {
      p = new Promise((resolve) => {
        execFile('getfattr', ['-h', '--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', '--', dir], { encoding: 'buffer' }, (err, stdout) => {
          resolve(!err && stdout.toString('latin1') === 'y');
        });
      });
      this.cache.set(dir, p);
    }
    return p;
  }

  /** Primes the cache from one recursive getfattr over a tree (the upper dir): dirs not listed are not opaque. */
  async scanTree(root: string, dirs: string[]): Promise<void> {
    const found = new Set<string>();
    const out = await new Promise<string>((resolve) => {
      execFile('getfattr', ['-R', '-h', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--', root], { encoding: 'buffer', maxBuffer: 256 << 20 }, (_err, stdout) => resolve(stdout.toString('latin1')));
    });
    let file: string | undefined;
    for (const line of out.split('\n')) {
      if (line.startsWith('# file: ')) file = unescapeGetfattr(line.slice(8));
      else if (file && line === 'trusted.overlay.opaque="y"') found.add(file);
    }
    for (const d of dirs) this.cache.set(d, Promise.resolve(found.has(d)));
  }
}

/** getfattr writes unusual bytes of names as \ooo (and a backslash as \\). */
function unescapeGetfattr(s: string): string {
  const bytes = Buffer.from(s.replace(/\\(\\|[0-7]{3})/g, (_m, g: string) => (g === '\\' ? '\\' : String.fromCharCode(parseInt(g, 8)))), 'latin1');
  return bytes.toString('utf8');
}

type Probe = { kind: 'absent' } | { kind: 'hidden' } | { kind: 'found'; st: Stats; opaque: boolean };

/**
 * The image's filesystem as the overlay shows it below the container's layer: layers are
 * searched top first; a whiteout, a non-directory or an opaque directory in a layer hides what
 * the layers under it have at or below that path.
 */
export class LowerView {
  constructor(
    private readonly layersTopFirst: string[],
    private readonly opaque = new OpaqueReader(),
  ) {}

  private async probe(layer: string, parts: string[]): Promise<Probe> {
    let p = layer;
    let opaqueAbove = false;
    if (parts.length === 0) {
// No such layer directory: the path is not in it.
      const st = await lstat(layer).catch(() => undefined);
      return st ? { kind: 'found', st, opaque: await this.opaque.isOpaque(layer) } : { kind: 'absent' };
    }
    if (await this.opaque.isOpaque(layer)) opaqueAbove = true;
    for (let i = 0; i < parts.length; i++) {
      p = join(p, parts[i]!);
// Not in this layer: the path is looked up in the next one.
      const st = await lstat(p).catch(() => undefined);
      if (!st) return opaqueAbove ? { kind: 'hidden' } : { kind: 'absent' };
      if (isWhiteout(st)) return { kind: 'hidden' };
      const last = i === parts.length - 1;
      if (last) return { kind: 'found', st, opaque: st.isDirectory() && (await this.opaque.isOpaque(p)) };
      if (!st.isDirectory()) return { kind: 'hidden' };
      if (await this.opaque.isOpaque(p)) opaqueAbove = true;
    }
    return { kind: 'absent' };
  }

  /** The entry at `path` (absolute, in the container) as the image shows it, or undefined. */
  async lookup(path: string): Promise<Stats | undefined> {
    const parts = path.split('/').filter(Boolean);
    for (const layer of this.layersTopFirst) {
      const r = await this.probe(layer, parts);
      if (r.kind === 'found') return isWhiteout(r.st) ? undefined : r.st;
      if (r.kind === 'hidden') return undefined;
    }
    return undefined;
  }

  /** Names in the image's directory `path` (empty when it is not a directory there). */
  async children(path: string): Promise<string[]> {
    const parts = path.split('/').filter(Boolean);
    const seen = new Set<string>();
    const names: string[] = [];
    for (const layer of this.layersTopFirst) {
      const r = await this.probe(layer, parts);
      if (r.kind === 'absent') continue;
      if (r.kind === 'hidden' || !r.st.isDirectory()) break;
      const dir = join(layer, ...parts);
      // A directory this layer does not have contributes no names.
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (seen.has(name)) continue;
        seen.add(name);
        // An entry gone while the layers are read is skipped.
        const st = await lstat(join(dir, name)).catch(() => undefined);
        if (st && !isWhiteout(st)) names.push(name);
      }
      if (r.opaque) break;
    }
    return names;
  }
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
