import { describe, expect, it } from 'vitest';
import { LinkHeaderParseError, nextLink, parseLinkHeader } from '../../src/core/registry/link-header.js';

const BASE = 'http://127.0.0.1:5001/v2/_catalog?n=2';

describe('nextLink', () => {
  it('resolves the registry catalog form against the request URL', () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', BASE)).toBe('http://127.0.0.1:5001/v2/_catalog?last=b&n=2');
  });

  it('resolves tag list pagination', () => {
    expect(nextLink('</v2/library/busybox/tags/list?last=1.36&n=100>; rel="next"', 'https://registry-1.docker.io/v2/library/busybox/tags/list?n=100')).toBe(
      'https://registry-1.docker.io/v2/library/busybox/tags/list?last=1.36&n=100',
    );
  });

  it('resolves path-relative targets', () => {
    expect(nextLink('<list?last=x>; rel=next', 'http://h/v2/a/tags/list?n=1')).toBe('http://h/v2/a/tags/list?last=x');
  });

  it('keeps absolute targets, even on another host', () => {
    expect(nextLink('<https://cdn.example.com/page/2>; rel="next"', BASE)).toBe('https://cdn.example.com/page/2');
  });

  it('returns undefined without a header or a next link', () => {
    expect(nextLink(null, BASE)).toBeUndefined();
    expect(nextLink('', BASE)).toBeUndefined();
    expect(nextLink('   ', BASE)).toBeUndefined();
    expect(nextLink('</v2/_catalog?last=a>; rel="prev"', BASE)).toBeUndefined();
    expect(nextLink('</x>; title="next"', BASE)).toBeUndefined();
    expect(nextLink('</x>', BASE)).toBeUndefined();
  });

  it('picks rel=next among several links', () => {
    const header = '</p/1>; rel="first", </p/3>; rel="prev", </p/5>; rel="next", </p/9>; rel="last"';
    expect(nextLink(header, 'http://h/p/4')).toBe('http://h/p/5');
  });

  it('matches next within a multi-valued, case-insensitive rel', () => {
    expect(nextLink('</a>; rel="prev", </b>; rel="Start  NEXT"', 'http://h/')).toBe('http://h/b');
    expect(nextLink('</a>; rel="nextpage"', 'http://h/')).toBeUndefined();
  });

  it('ignores later rel parameters on the same link (RFC 8288 §3.3)', () => {
    expect(nextLink('</a>; rel="prev"; rel="next"', 'http://h/')).toBeUndefined();
  });

  it('handles commas and semicolons inside targets and quoted values', () => {
    const header = '</v2/x?a=1,2;b=3>; title="one, two; three"; rel="next", </other>; rel="last"';
    expect(nextLink(header, 'http://h/')).toBe('http://h/v2/x?a=1,2;b=3');
  });

  it('tolerates whitespace and parameters before rel', () => {
    expect(nextLink('  <  /n  > ;  type="text/html" ;REL = next  ', 'http://h/')).toBe('http://h/n');
  });

  it('throws a typed error for malformed headers', () => {
    expect(() => nextLink('/v2/_catalog; rel="next"', BASE)).toThrow(LinkHeaderParseError);
    expect(() => nextLink('</v2/_catalog; rel="next"', BASE)).toThrow(/closing ">"/);
    expect(() => nextLink('</a> rel="next"', BASE)).toThrow(/expected ";"/);
    expect(() => nextLink('</a>; rel="next', BASE)).toThrow(/unterminated/);
  });

  it('throws when the next target cannot be resolved', () => {
    expect(() => nextLink('</page/2>; rel="next"', 'not a url')).toThrow(/cannot be resolved/);
  });
});

describe('parseLinkHeader', () => {
  it('returns targets and lowercased parameters in order', () => {
    expect(parseLinkHeader('<a>; rel="next"; Title=x, <b>; anchor="#c"; crossorigin')).toEqual([
      { target: 'a', params: { rel: 'next', title: 'x' } },
      { target: 'b', params: { anchor: '#c', crossorigin: '' } },
    ]);
  });
});
