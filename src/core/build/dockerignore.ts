// .dockerignore as Docker reads it (moby's patternmatcher): one pattern a line, '#' comments,
// patterns cleaned and made relative, '!' re-includes, the last matching pattern wins, and a
// pattern that matches a directory excludes everything below it. Pure.
import { cleanPath, globMatch, globToRegExpSource, GlobSyntaxError } from './glob-match.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class DockerignoreError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface IgnoreMatcher {
  /** relPath uses '/', is relative to the context root, no leading './'. The root itself is never ignored. */
  ignores(relPath: string): boolean;
  /**
   * Whether a '!' pattern could re-include something below the (ignored) directory dirRel,
   * so a walk must still look inside it instead of skipping it whole.
   */
  mayIncludeUnder(dirRel: string): boolean;
  /** The patterns as Docker keeps them: cleaned, '!' kept in front of exceptions. */
  readonly patterns: string[];
}

/** moby's shortcuts for common shapes; they differ from the regexp in corner cases, so they are kept. */
type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  text: string;
  exclusion: boolean;
  matchType: MatchType;
  regexp?: RegExp;
  segments: string[];
}

function classExtent(chars: string[], start: number, pattern: string): number {
  let i = start + 1;
  if (chars[i] === '^') i++;
  let count = 0;
  for (;;) {
    const ch = chars[i];
    if (ch === undefined) throw new DockerignoreError(`syntax error in pattern: ${pattern}`);
    if (ch === ']' && count > 0) return i + 1;
    i += ch === '\\' ? 2 : 1;
    count++;
  }
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Compiles one pattern the way patternmatcher does: `**` any number of dirs, `*` and `?` within one. */
function compile(text: string, exclusion: boolean): Pattern {
  const chars = Array.from(text);
  let matchType: MatchType = 'exact';
  let re = '^';
  for (let i = 0, step = 0; i < chars.length; step++) {
    const ch = chars[i++]!;
    if (ch === '*') {
      if (chars[i] === '*') {
        i++;
        if (chars[i] === '/') i++; // "**/" is "**"
        if (i === chars.length) {
          if (matchType === 'exact') matchType = 'prefix';
          else {
            re += '.*';
            matchType = 'regexp';
          }
        } else {
          re += '(?:.*/)?';
          matchType = 'regexp';
        }
        if (step === 0) matchType = 'suffix';
      } else {
        re += '[^/]*';
        matchType = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      matchType = 'regexp';
    } else if (ch === '\\') {
      // moby leaves such a pattern "exact" and compares it backslash and all, so `\*x` never
      // matches `*x`; matching through the regexp makes the escape do what it says.
      const escaped = chars[i++];
      re += escaped === undefined ? '\\\\' : escapeRegex(escaped);
      matchType = 'regexp';
    } else if (ch === '[') {
      const end = classExtent(chars, i - 1, text);
      re += globToRegExpSource(chars.slice(i - 1, end).join(''));
      i = end;
      matchType = 'regexp';
    } else re += escapeRegex(ch);
  }
  const pattern: Pattern = { text, exclusion, matchType, segments: text.split('/') };
  if (matchType === 'regexp') pattern.regexp = new RegExp(`${re}$`, 'u');
  return pattern;
}

function matches(p: Pattern, path: string): boolean {
  switch (p.matchType) {
    case 'exact':
      return path === p.text;
    case 'prefix':
      return path.startsWith(p.text.slice(0, -2));
    case 'suffix': {
      const suffix = p.text.slice(2);
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp':
      return p.regexp!.test(path);
  }
}

/** Could `p` match some path strictly below dirRel? Checked segment by segment; `**` could match anything. */
function couldMatchBelow(p: Pattern, dirSegments: string[]): boolean {
  for (let i = 0; i < dirSegments.length; i++) {
    const seg = p.segments[i];
    if (seg === undefined) return true; // it matches the directory or a parent: it re-includes it
    if (seg.includes('**')) return true;
    try {
      if (!globMatch(seg, dirSegments[i]!)) return false;
    } catch {
      // A pattern that is not a valid glob cannot rule the directory out: look inside.
      return true;
    }
  }
  return p.segments.length > dirSegments.length;
}

/** Parses a .dockerignore; throws DockerignoreError for a pattern Docker refuses. */
export function parseDockerignore(text: string): IgnoreMatcher {
  const texts: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    if (raw.startsWith('#')) continue;
    let line = raw.trim();
    if (line === '') continue;
    const invert = line.startsWith('!');
    if (invert) line = line.slice(1).trim();
    if (line !== '') {
      line = cleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    texts.push(invert ? `!${line}` : line);
  }

  const patterns: Pattern[] = texts.map((t) => {
    const exclusion = t.startsWith('!');
    const body = exclusion ? t.slice(1) : t;
    if (exclusion && body === '') throw new DockerignoreError('illegal exclusion pattern: "!"');
    try {
      globToRegExpSource(body); // Docker validates every pattern with filepath.Match
      return compile(body, exclusion);
    } catch (err) {
      if (err instanceof GlobSyntaxError || err instanceof SyntaxError) {
        throw new DockerignoreError(`invalid .dockerignore pattern "${t}": syntax error in pattern`);
      }
      throw err;
    }
  });
  const hasExclusions = patterns.some((p) => p.exclusion);

  return {
    patterns: texts,
    ignores(relPath: string): boolean {
      const path = cleanPath(relPath);
      if (path === '.' || path === '/') return false;
      const parents = path.split('/').slice(0, -1);
      let matched = false;
      for (const p of patterns) {
        // An exception matters only once something matched, a pattern only while nothing did.
        if (p.exclusion !== matched) continue;
        let hit = matches(p, path);
        for (let i = 1; !hit && i <= parents.length; i++) hit = matches(p, parents.slice(0, i).join('/'));
        if (hit) matched = !p.exclusion;
      }
      return matched;
    },
    mayIncludeUnder(dirRel: string): boolean {
      if (!hasExclusions) return false;
      const dir = cleanPath(dirRel);
      const segments = dir === '.' ? [] : dir.split('/');
      return patterns.some((p) => p.exclusion && couldMatchBelow(p, segments));
    },
  };
}
