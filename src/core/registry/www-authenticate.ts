// WWW-Authenticate parsing (RFC 7235 §4.1, RFC 9110 §11.6.1):
//
//   WWW-Authenticate = 1#challenge
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
//
// Commas separate both challenges and parameters, so after each comma we look
// ahead: `token =` continues the current challenge, anything else starts a new one.

import { TsdockError } from '../errors.js';

export interface AuthChallenge {
  /** Lowercased, e.g. "bearer" or "basic". */
  scheme: string;
  /** Parameter names lowercased; values as sent (quotes and escapes removed). */
  params: Record<string, string>;
  /** Set when the challenge carries a token68 blob instead of parameters. */
  token68?: string;
}

/** A challenge the registry sent that cannot be read: the remote broke the protocol. */
export class WwwAuthenticateParseError extends TsdockError {
  override readonly name = 'WwwAuthenticateParseError';
  constructor(
    readonly header: string,
    readonly position: number,
    problem: string,
  ) {
    super(
      'unavailable',
      `malformed WWW-Authenticate header ${JSON.stringify(header)} at offset ${position}: ${problem}; ` +
        'the registry sent a challenge tsdock cannot interpret, so check the registry URL or its auth configuration',
    );
  }
}

const TOKEN_RE = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68_RE = /[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/y;
const PARAM_START_RE = /[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=/y;
const WS_RE = /[ \t]*/y;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  /** Consumes `re` (a sticky regexp) at the cursor and returns the match. */
  take(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  peekMatches(re: RegExp): boolean {
    re.lastIndex = this.pos;
    return re.test(this.text);
  }

  skipWs(): void {
    this.take(WS_RE);
  }

  /** Skips whitespace and empty list elements (RFC 9110 §5.6.1 allows ", ,"). */
  skipListSeparators(): void {
    while (this.pos < this.text.length && /[ \t,]/.test(this.text[this.pos]!)) this.pos++;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  get char(): string | undefined {
    return this.text[this.pos];
  }

  fail(problem: string): never {
    throw new WwwAuthenticateParseError(this.text, this.pos, problem);
  }

  quotedString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
    this.pos = start;
    return this.fail('quoted string is not terminated');
  }
}

/**
 * Splits a WWW-Authenticate header into its challenges, in order. An empty
 * header yields []. Repeated parameter names keep the last value, as Docker's
 * client does.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const s: Scanner = new Scanner(header);
  const challenges: AuthChallenge[] = [];

  s.skipListSeparators();
  while (!s.done) {
    const scheme = s.take(TOKEN_RE);
    if (scheme === undefined) s.fail(`expected an auth scheme, found ${JSON.stringify(s.char)}`);
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);

    const beforeWs = s.pos;
    s.skipWs();
    if (s.done || s.char === ',') {
      s.skipListSeparators();
      continue;
    }
    if (s.pos === beforeWs) s.fail(`expected a space after auth scheme "${scheme}"`);

    // token68 must run to the next comma (or the end), so `realm=x` is never one,
    // while `abc==` is never mistaken for a parameter with an empty value.
    const token68 = s.take(TOKEN68_RE);
    if (token68 !== undefined) {
      challenge.token68 = token68;
      s.skipListSeparators();
      continue;
    }
    if (!s.peekMatches(PARAM_START_RE)) s.fail(`expected parameters or a token68 value after "${scheme}"`);

    // auth-params until something that does not look like `name =`.
    for (;;) {
      const name = s.take(TOKEN_RE)!;
      s.skipWs();
      s.pos++; // '=' (guaranteed by PARAM_START_RE)
      s.skipWs();
      let value: string | undefined;
      if (s.char === '"') value = s.quotedString();
      else value = s.take(TOKEN_RE);
      if (value === undefined) s.fail(`parameter "${name}" has no value`);
      challenge.params[name.toLowerCase()] = value;

      s.skipWs();
      if (s.done) break;
      if (s.char !== ',') s.fail(`expected "," after parameter "${name}"`);
      s.skipListSeparators();
      if (s.done || !s.peekMatches(PARAM_START_RE)) break;
    }
  }
  return challenges;
}
