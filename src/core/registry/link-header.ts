// Link header parsing (RFC 8288 §3), enough to follow registry pagination
// (`Link: </v2/_catalog?last=x&n=100>; rel="next"`):
//
//   Link       = #link-value
//   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//   link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
//
// Targets may contain ',' and ';', so the header is scanned rather than split.

import { TsdockError } from '../errors.js';

/** Pagination links the registry sent that cannot be followed: the remote broke the protocol. */
export class LinkHeaderParseError extends TsdockError {
  override readonly name = 'LinkHeaderParseError';
  constructor(
    readonly header: string,
    problem: string,
  ) {
    super(
      'unavailable',
      `malformed Link header ${JSON.stringify(header)}: ${problem}; ` +
        'the registry returned pagination links tsdock cannot follow',
    );
  }
}

export interface LinkValue {
  /** The target exactly as written between '<' and '>'. */
  target: string;
  /** Parameter names lowercased; only the first occurrence of each is kept (RFC 8288 §3). */
  params: Record<string, string>;
}

const TOKEN_RE = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/** Parses every link-value in a Link header, in order. */
export function parseLinkHeader(header: string): LinkValue[] {
  let pos = 0;
  function fail(problem: string): never {
    throw new LinkHeaderParseError(header, `${problem} at offset ${pos}`);
  }
  const skipWs = (): void => {
    while (pos < header.length && (header[pos] === ' ' || header[pos] === '\t')) pos++;
  };
  const token = (): string | undefined => {
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(header);
    if (m === null) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    pos++; // opening quote
    let out = '';
    while (pos < header.length) {
      const c = header[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\' && pos + 1 < header.length) {
        out += header[pos + 1];
        pos += 2;
        continue;
      }
      out += c;
      pos++;
    }
    return fail('unterminated quoted string');
  };

  const links: LinkValue[] = [];
  for (;;) {
    // Empty list elements (", ,") are allowed and ignored.
    while (pos < header.length && /[ \t,]/.test(header[pos]!)) pos++;
    if (pos >= header.length) break;
    if (header[pos] !== '<') fail('expected "<" to start a link target');
    const close = header.indexOf('>', pos + 1);
    if (close === -1) fail('link target has no closing ">"');
    const link: LinkValue = { target: header.slice(pos + 1, close).trim(), params: {} };
    pos = close + 1;

    for (;;) {
      skipWs();
      if (pos >= header.length || header[pos] === ',') break;
      if (header[pos] !== ';') fail('expected ";" or "," after a link');
      pos++;
      skipWs();
      const name = token();
      if (name === undefined) fail('expected a link parameter name');
      skipWs();
      let value = '';
      if (header[pos] === '=') {
        pos++;
        skipWs();
        const v = header[pos] === '"' ? quoted() : token();
        if (v === undefined) fail(`link parameter "${name}" has no value`);
        value = v;
      }
      const key = name.toLowerCase();
      if (!(key in link.params)) link.params[key] = value;
    }
    links.push(link);
  }
  return links;
}

/**
 * Absolute URL of the first `rel="next"` link, or undefined when there is no
 * next page. Relative targets resolve against `baseUrl` (the URL of the
 * request that returned the header); relation types compare case-insensitively
 * and `rel` may list several, e.g. `rel="prev next"`.
 */
export function nextLink(linkHeader: string | null, baseUrl: string): string | undefined {
  if (linkHeader === null || linkHeader.trim() === '') return undefined;
  for (const link of parseLinkHeader(linkHeader)) {
    const rels = (link.params['rel'] ?? '').toLowerCase().split(/[ \t]+/);
    if (!rels.includes('next')) continue;
    try {
      return new URL(link.target, baseUrl).href;
    } catch {
      throw new LinkHeaderParseError(
        linkHeader,
        `next target ${JSON.stringify(link.target)} cannot be resolved against ${JSON.stringify(baseUrl)}`,
      );
    }
  }
  return undefined;
}
