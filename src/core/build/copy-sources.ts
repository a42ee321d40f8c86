// The sources of COPY/ADD in the build context (or a stage's root for --from): wildcards
// expanded per path segment as Go's filepath.Match does, paths resolved inside the root
// (through RootedFs: a symlink never leads out of it), what .dockerignore excludes left out;
// and the content hash the build cache keys a COPY on.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { release, type RootedFs } from '../fs/rooted-fs.js';
import { readTree, type TreeFilter } from '../fs/tree-reader.js';
import type { TreeEntry } from '../fs/tree-entry.js';
import type { IgnoreMatcher } from './dockerignore.js';
import { cleanPath, globMatch, GlobSyntaxError, hasGlobMeta } from './glob-match.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface CopySource {
  /** Its path in the root, symlinks already followed (inside the root). */
  path: string;
  /** Path relative to the context (or stage root for --from), as named: '.' for the root itself. */
  rel: string;
  /** The source argument it matched. */
  pattern: string;
  /** Where it really lies relative to the root (differs from rel through a symlink): what .dockerignore is checked against. */
  contextRel: string;
}

export class CopySourceError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

function notFound(instruction: string, src: string): CopySourceError {
  return new CopySourceError(
    `${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`,
    'not-found',
  );
}

/** A source path as Docker cleans it: rooted, so '../x' and '/x' both name x inside the root. */
function cleanSource(src: string): string {
  const cleaned = cleanPath(`/${src}`).slice(1);
  return cleaned === '' ? '.' : cleaned;
}

const joinRel = (dir: string, name: string) => (dir === '.' ? name : `${dir}/${name}`);

/** The paths a wildcard source names, segment by segment, sorted like Go's filepath.Glob. */
async function expandGlob(root: RootedFs, rel: string, src: string, instruction: string): Promise<string[]> {
  let current = ['.'];
  for (const segment of rel.split('/')) {
    if (!hasGlobMeta(segment)) {
      current = current.map((dir) => joinRel(dir, segment));
      continue;
    }
    const next: string[] = [];
    for (const dir of current) {
      const names = await listNames(root, dir);
      for (const name of names.sort()) {
        let hit: boolean;
        try {
          hit = globMatch(segment, name);
        } catch (err) {
          if (err instanceof GlobSyntaxError) throw new CopySourceError(`${instruction} failed: ${err.message} (in source ${src})`);
          throw err;
        }
        if (hit) next.push(joinRel(dir, name));
      }
    }
    current = next;
  }
  return current;
}

/**
 * Resolves COPY/ADD source arguments against root. Each argument must match something that
 * .dockerignore does not exclude, else CopySourceError with Docker's message. A directory is
 * returned once, as itself (listCopyTree gives what to copy from it).
 */
export async function resolveCopySources(
  root: RootedFs,
  sources: string[],
  ignore?: IgnoreMatcher,
  instruction = 'COPY',
): Promise<CopySource[]> {
  const out: CopySource[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    const rel = cleanSource(src);
    const candidates = hasGlobMeta(rel) ? await expandGlob(root, rel, src, instruction) : [rel];
    let matched = false;
    for (const candidate of candidates) {
      // A candidate that cannot be resolved (missing, escaping) is not a match.
      const loc = await root.locate(candidate, { followLast: true }).catch(() => undefined);
      if (loc) await release(loc);
      const st = loc?.stat;
      if (!loc || !st) continue;
      const contextRel = cleanSource(loc.path);
      const source: CopySource = { path: loc.path, rel: candidate, pattern: src, contextRel };
      if (ignore && (ignore.ignores(candidate) || ignore.ignores(contextRel))) {
        // An ignored directory still counts when a '!' pattern brings back something inside it.
        if (!st.isDirectory() || !ignore.mayIncludeUnder(contextRel)) continue;
        if ((await listCopyTree(root, source, ignore)).length <= 1) continue;
      }
      matched = true;
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      out.push(source);
    }
    if (!matched) throw notFound(instruction, src);
  }
  return out;
}

/** The names in a directory of the root ([] when it is not one). */
async function listNames(root: RootedFs, dir: string): Promise<string[]> {
  // Not a readable directory: it has no names to match.
  const d = await root.openDir(dir).catch(() => undefined);
  if (!d) return [];
  try {
    return await readdir(d.self());
  } finally {
    await d.close();
  }
}

/** What .dockerignore keeps below a source, as a filter of the tree reader. */
export function ignoreFilter(source: CopySource, ignore: IgnoreMatcher | undefined): TreeFilter | undefined {
  if (!ignore) return undefined;
  return (rel, isDir) => {
    const context = joinRel(source.contextRel, rel);
    if (!ignore.ignores(context)) return 'keep';
    // An ignored directory appears only as the parent of something a '!' pattern brought back.
    return isDir && ignore.mayIncludeUnder(context) ? 'hidden' : 'skip';
  };
}

/**
 * Everything one source copies: the source itself (rel ''), then (for a directory) its
 * contents depth-first in name order, without what .dockerignore excludes. Symlinks below the
 * source are entries of their own, not followed. File data must be read before the next entry.
 */
export function readCopyTree(root: RootedFs, source: CopySource, ignore?: IgnoreMatcher): AsyncGenerator<TreeEntry> {
  return readTree(root, source.path, false, { filter: ignoreFilter(source, ignore) });
}

/** The entries of readCopyTree without their data. */
export async function listCopyTree(root: RootedFs, source: CopySource, ignore?: IgnoreMatcher): Promise<Omit<TreeEntry, 'data'>[]> {
  const out: Omit<TreeEntry, 'data'>[] = [];
  for await (const { data: _data, ...e } of readCopyTree(root, source, ignore)) out.push(e);
  return out;
}

/**
 * The build cache's key for what a COPY/ADD reads: 'sha256:<hex>' over every entry's path,
 * type, mode bits, symlink target and content, sources in order. A directory source is
 * hashed by its contents (its own name does not reach the image), a file source with its
 * name. Owners and mtimes do not count: a touched but unchanged file still hits the cache.
 */
export async function hashCopySources(root: RootedFs, sources: CopySource[], ignore?: IgnoreMatcher): Promise<string> {
  const hash = createHash('sha256');
  for (const source of sources) {
    let first = true;
    for await (const e of readCopyTree(root, source, ignore)) {
      if (first) hash.update(`source ${JSON.stringify(e.kind === 'directory' ? '.' : posix.basename(source.rel))}\n`);
      first = false;
      hash.update(`${JSON.stringify([e.rel || '.', e.kind, e.mode, e.size, e.linkTarget ?? ''])}\n`);
      if (e.data) for await (const chunk of e.data()) hash.update(chunk);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
