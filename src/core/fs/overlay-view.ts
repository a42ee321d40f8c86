import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';

/**
 * How overlayfs layers read from the host: whiteouts (char device 0/0), opaque directories
 * (`trusted.overlay.opaque=y`), and an image's lower layers seen merged, as the overlay mount
 * would show them. Used by `diff`, by commit and build (layer tars from an upper dir) and by
 * build's COPY, so it sits below images, runtime and build.
 */

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
