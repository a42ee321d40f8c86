import { TsdockError, type ErrorKind } from '../errors.js';
// Docker's word expansion for Dockerfile instructions (ENV, LABEL, ARG, COPY, ADD, WORKDIR,
// USER, EXPOSE, FROM, ...): one pass that removes quotes, honours the escape character and
// substitutes $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} / ${VAR-x} / ${VAR+x} / ${VAR?msg}, as
// BuildKit's shell lexer does. Whitespace is kept: a word is never split. RUN/CMD/ENTRYPOINT
// in shell form are not expanded here (the shell in the container does that). Pure.

export class ExpansionError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** Characters a shell word treats specially outside quotes (besides the escape character). */
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const NAME_CHAR = /[\p{L}\p{Nd}_]/u;
const DIGIT = /\p{Nd}/u;

/**
 * A word is read into pieces: literal characters (their quotes and escapes already taken
 * away) and variable references. Expanding looks the references up; unquoting writes them
 * back untouched, so both share one reading of Docker's quoting rules.
 */
interface Sink {
  literal(ch: string): void;
  /** `raw` is the reference as written (always braced); `value` is its expansion. */
  reference(raw: string, value: () => string): void;
}

class WordLexer {
  private readonly chars: string[];
  private pos = 0;

  constructor(
    word: string,
    private readonly escape: string,
    private readonly lookup: (name: string) => string | undefined,
  ) {
    this.chars = Array.from(word);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    return this.chars[this.pos++];
  }

  /** Reads until `stop` (consumed) or the end of the word. */
  read(sink: Sink, stop?: string): void {
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) {
        if (stop !== undefined) throw new ExpansionError(`unexpected end of statement while looking for matching ${stop}`);
        return;
      }
      if (ch === stop) {
        this.next();
        return;
      }
      if (ch === "'") this.singleQuoted(sink);
      else if (ch === '"') this.doubleQuoted(sink);
      else if (ch === '$') this.dollar(sink);
      else {
        this.next();
        if (ch === this.escape) {
          const escaped = this.next();
          if (escaped === undefined) return; // an escape at the very end is dropped
          sink.literal(escaped);
        } else sink.literal(ch);
      }
    }
  }

  /** Inside '...' nothing is special, not even the escape character. */
  private singleQuoted(sink: Sink): void {
    this.next();
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return;
      sink.literal(ch);
    }
  }

  /** Inside "..." only $ expands, and the escape character escapes only `"`, `$` and itself. */
  private doubleQuoted(sink: Sink): void {
    this.next();
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new ExpansionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return;
      }
      if (ch === '$') {
        this.dollar(sink);
        continue;
      }
      this.next();
      if (ch === this.escape) {
        const after = this.peek();
        if (after === undefined) continue;
        if (after !== '"' && after !== '$' && after !== this.escape) sink.literal(ch);
        sink.literal(this.next()!);
        continue;
      }
      sink.literal(ch);
    }
  }

  private name(): string {
    let name = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) return name;
      if (name === '' && DIGIT.test(ch)) {
        while (this.peek() !== undefined && DIGIT.test(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next()!;
      if (!NAME_CHAR.test(ch)) return name;
      name += this.next();
    }
  }

  private dollar(sink: Sink): void {
    const start = this.pos;
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') sink.literal('$');
      else sink.reference(`\${${name}}`, () => this.lookup(name) ?? '');
      return;
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new ExpansionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ExpansionError('syntax error: bad substitution');
    const name = this.name();
    const op = this.next();
    if (op === '}') {
      sink.reference(this.chars.slice(start, this.pos).join(''), () => this.lookup(name) ?? '');
      return;
    }
    if (op === undefined) throw new ExpansionError("syntax error: missing '}'");
    let modifier = op;
    if (op === ':') {
      const m = this.next();
      if (m !== '-' && m !== '+' && m !== '?') {
        throw new ExpansionError(m === undefined ? "syntax error: missing '}'" : `unsupported modifier (${m}) in substitution`);
      }
      modifier = `:${m}`;
    } else if (op !== '-' && op !== '+' && op !== '?') {
      throw new ExpansionError(`unsupported modifier (${op}) in substitution`);
    }
    // The word after the modifier is itself a word: quotes and nested $ inside it count.
    const inner = new Collector();
    try {
      this.read(inner, '}');
    } catch (err) {
      if (this.peek() === undefined) throw new ExpansionError("syntax error: missing '}'");
      throw err;
    }
    const raw = this.chars.slice(start, this.pos).join('');
    sink.reference(raw, () => {
      const value = this.lookup(name);
      const word = inner.expanded();
      switch (modifier) {
        case ':-':
          return value ? value : word;
        case '-':
          return value === undefined ? word : value;
        case ':+':
          return value ? word : '';
        case '+':
          return value === undefined ? '' : word;
        default: {
          // ${VAR?msg} fails when unset, ${VAR:?msg} also when empty.
          if (value === undefined || (modifier === ':?' && value === '')) {
            throw new ExpansionError(`${name}: ${word || 'is not allowed to be unset'}`);
          }
          return value;
        }
      }
    });
  }
}

/** Gathers pieces so a nested word can be expanded later, when its variable is decided. */
class Collector implements Sink {
  private readonly parts: (string | (() => string))[] = [];
  literal(ch: string): void {
    this.parts.push(ch);
  }
  reference(_raw: string, value: () => string): void {
    this.parts.push(value);
  }
  expanded(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : p())).join('');
  }
}

function lookupIn(vars: Readonly<Record<string, string>>): (name: string) => string | undefined {
  return (name) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined);
}

/**
 * Expands one word as Docker does for ENV/LABEL/ARG/COPY/WORKDIR/...: quotes removed, the
 * escape character escapes the next character, nothing expands inside single quotes, an
 * unset variable is ''. Throws ExpansionError on bad syntax (unterminated quote, `${`).
 */
export function expandWord(word: string, vars: Readonly<Record<string, string>>, escapeChar = '\\'): string {
  const out = new Collector();
  new WordLexer(word, escapeChar, lookupIn(vars)).read(out);
  return out.expanded();
}

export function expandWords(words: string[], vars: Readonly<Record<string, string>>, escapeChar = '\\'): string[] {
  return words.map((w) => expandWord(w, vars, escapeChar));
}

/**
 * Removes the quotes of a word without expanding it: the result reads as plain text when it
 * holds no `$`, quote or escape character, and expandWord(result, vars) always equals
 * expandWord(word, vars). Characters the quotes protected are escaped instead (`'$HOME'`
 * becomes `\$HOME`), and variable references are kept (braced, so `"$a"b` stays `${a}b`).
 */
export function unquoteWord(word: string, escapeChar = '\\'): string {
  let out = '';
  const special = new Set(["'", '"', '$', escapeChar]);
  const sink: Sink = {
    literal: (ch) => {
      out += special.has(ch) ? escapeChar + ch : ch;
    },
    reference: (raw) => {
      out += raw;
    },
  };
  new WordLexer(word, escapeChar, () => undefined).read(sink);
  return out;
}
