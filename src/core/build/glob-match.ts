// Go's path rules that Docker's build relies on: filepath.Clean and filepath.Match (used for
// COPY/ADD wildcards and to validate .dockerignore patterns). Pure.
import { posix } from 'node:path';
import { TsdockError, type ErrorKind } from '../errors.js';

export class GlobSyntaxError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** Go's filepath.Clean for '/' paths: '' is '.', no trailing '/', '..' resolved lexically. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const cleaned = posix.normalize(path);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}

export function hasGlobMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}

// Only the characters a unicode-mode RegExp allows to be escaped ('-' just inside a class).
const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Translates a filepath.Match pattern into a RegExp source: `*` and `?` never match '/',
 * `[a-z]`/`[^a-z]` classes, `\x` escapes x. Throws GlobSyntaxError where Go returns
 * ErrBadPattern (unclosed class, `[]`, trailing `\`).
 */
export function globToRegExpSource(pattern: string): string {
  const chars = Array.from(pattern);
  let out = '';
  const bad = () => new GlobSyntaxError(`syntax error in pattern: ${pattern}`);
  let i = 0;
  // One class member: a character, or an escaped one; '-' and ']' must be escaped here.
  const classChar = (): string => {
    const ch = chars[i];
    if (ch === undefined || ch === '-' || ch === ']') throw bad();
    i++;
    if (ch === '\\') {
      const escaped = chars[i++];
      if (escaped === undefined) throw bad();
      return escaped;
    }
    return ch;
  };
  while (i < chars.length) {
    const ch = chars[i++]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '\\') {
      const escaped = chars[i++];
      if (escaped === undefined) throw bad();
      out += escapeRegex(escaped);
    } else if (ch === '[') {
      let negated = false;
      if (chars[i] === '^') {
        negated = true;
        i++;
      }
      let ranges = '';
      let count = 0;
      for (;;) {
        if (chars[i] === ']' && count > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          hi = classChar();
        }
        // Go accepts a reversed range (it just never matches); a RegExp would refuse it.
        if (lo.codePointAt(0)! > hi.codePointAt(0)!) ranges += '(?!)';
        else ranges += lo === hi ? escapeClass(lo) : `${escapeClass(lo)}-${escapeClass(hi)}`;
        count++;
      }
      const cls = ranges.replaceAll('(?!)', '');
      if (cls === '') out += negated ? '[^/]' : '(?!)';
      else out += negated ? `[^/${cls}]` : `[${cls}]`;
    } else out += escapeRegex(ch);
  }
  return out;
}

/** filepath.Match: does `name` match `pattern` entirely? */
export function globMatch(pattern: string, name: string): boolean {
  return new RegExp(`^${globToRegExpSource(pattern)}$`, 'u').test(name);
}
