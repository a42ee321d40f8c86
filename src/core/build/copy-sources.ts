// The sources of COPY/ADD in the build context (or a stage's root for --from): wildcards
// expanded per path segment as Go's filepath.Match does, paths kept inside the root, what
// .dockerignore excludes left out; and the content hash the build cache keys a COPY on.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { secureJoin } from '../runtime/secure-join.js';
import type { IgnoreMatcher } from './dockerignore.js';
import { cleanPath, globMatch, GlobSyntaxError, hasGlobMeta } from './glob-match.js';

export interface CopySource {
  /** Absolute path on disk (symlinks in the source path already followed, inside the root). */
  abs: string;
  /** Path relative to the context (or stage root for --from), as named: '.' for the root itself. */
  rel: string;
  /** The source argument it matched. */
  pattern: string;
  /** Where it really lies relative to the root (differs from rel through a symlink): what .dockerignore is checked against. */
  contextRel: string;
}

export class CopySourceError extends Error {}

export type CopyEntryType = 'file' | 'directory' | 'symlink' | 'other';

/** One thing a COPY writes, in the order to write it (a directory before its contents). */
export interface CopyTreeEntry {
  abs: string;
  /** Below the source: '.' for the source itself, 'a/b' for entries inside a directory source. */
  subPath: string;
  type: CopyEntryType;
  /** Permission bits, setuid/setgid/sticky included. */
  mode: number;
  size: number;
  linkTarget?: string;
}

function notFound(instruction: string, src: string): CopySourceError {
  return new CopySourceError(
    `${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`,
  );
}

/** A source path as Docker cleans it: rooted, so '../x' and '/x' both name x inside the root. */
function cleanSource(src: string): string {
  const cleaned = cleanPath(`/${src}`).slice(1);
  return cleaned === '' ? '.' : cleaned;
}

const joinRel = (dir: string, name: string) => (dir === '.' ? name : `${dir}/${name}`);

/** The paths a wildcard source names, segment by segment, sorted like Go's filepath.Glob. */
async function expandGlob(root: string, rel: string, src: string, instruction: string): Promise<string[]> {
  let current = ['.'];
  for (const segment of rel.split('/')) {
    if (!hasGlobMeta(segment)) {
      current = current.map((dir) => joinRel(dir, segment));
      continue;
    }
    const next: string[] = [];
    for (const dir of current) {
      const names = await readdir(await secureJoin(root, dir)).catch(() => [] as string[]);
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
  root: string,
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
      const abs = await secureJoin(root, candidate);
      const st = await stat(abs).catch(() => undefined);
      if (!st) continue;
      const contextRel = cleanSource(posix.relative(root, abs));
      const source: CopySource = { abs, rel: candidate, pattern: src, contextRel };
      if (ignore && (ignore.ignores(candidate) || ignore.ignores(contextRel))) {
        // An ignored directory still counts when a '!' pattern brings back something inside it.
        if (!st.isDirectory() || !ignore.mayIncludeUnder(contextRel)) continue;
        if ((await listCopyTree(source, ignore)).length <= 1) continue;
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

function entryType(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): CopyEntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'directory';
  return st.isFile() ? 'file' : 'other';
}

/**
 * Everything one source copies: the source itself, then (for a directory) its contents
 * depth-first in name order, without what .dockerignore excludes. Symlinks below the source
 * are entries of their own, not followed.
 */
export async function listCopyTree(source: CopySource, ignore?: IgnoreMatcher): Promise<CopyTreeEntry[]> {
  const top = await lstat(source.abs);
  const entries: CopyTreeEntry[] = [await toEntry(source.abs, '.', top)];
  if (top.isDirectory()) entries.push(...(await walk(source.abs, '.', source.contextRel, ignore)));
  return entries;
}

async function toEntry(abs: string, subPath: string, st: Awaited<ReturnType<typeof lstat>>): Promise<CopyTreeEntry> {
  const type = entryType(st);
  const entry: CopyTreeEntry = { abs, subPath, type, mode: Number(st.mode) & 0o7777, size: type === 'file' ? Number(st.size) : 0 };
  if (type === 'symlink') entry.linkTarget = await readlink(abs);
  return entry;
}

async function walk(dirAbs: string, dirSub: string, dirContext: string, ignore?: IgnoreMatcher): Promise<CopyTreeEntry[]> {
  const out: CopyTreeEntry[] = [];
  const names = (await readdir(dirAbs)).sort();
  for (const name of names) {
    const abs = posix.join(dirAbs, name);
    const sub = joinRel(dirSub, name);
    const context = joinRel(dirContext, name);
    const st = await lstat(abs);
    const ignored = ignore?.ignores(context) ?? false;
    if (ignored && !(st.isDirectory() && ignore!.mayIncludeUnder(context))) continue;
    const below = st.isDirectory() ? await walk(abs, sub, context, ignore) : [];
    // An ignored directory appears only as the parent of something a '!' pattern brought back.
    if (ignored && below.length === 0) continue;
    out.push(await toEntry(abs, sub, st), ...below);
  }
  return out;
}

async function hashFile(hash: Hash, abs: string): Promise<void> {
  for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
}

/**
 * The build cache's key for what a COPY/ADD reads: 'sha256:<hex>' over every entry's path,
 * type, mode bits, symlink target and content, sources in order. A directory source is
 * hashed by its contents (its own name does not reach the image), a file source with its
 * name. Owners and mtimes do not count: a touched but unchanged file still hits the cache.
 */
export async function hashCopySources(sources: CopySource[], ignore?: IgnoreMatcher): Promise<string> {
  const hash = createHash('sha256');
  for (const source of sources) {
    const entries = await listCopyTree(source, ignore);
    const isDir = entries[0]!.type === 'directory';
    hash.update(`source ${JSON.stringify(isDir ? '.' : posix.basename(source.rel))}\n`);
    for (const e of entries) {
      hash.update(`${JSON.stringify([e.subPath, e.type, e.mode, e.size, e.linkTarget ?? ''])}\n`);
      if (e.type === 'file') await hashFile(hash, e.abs);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
