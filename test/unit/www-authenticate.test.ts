import { describe, expect, it } from 'vitest';
import { WwwAuthenticateParseError, parseWwwAuthenticate } from '../../src/core/registry/www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('parses the registry bearer challenge', () => {
    expect(
      parseWwwAuthenticate('Bearer realm="http://127.0.0.1:5001/token",service="registry",scope="repository:foo:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'http://127.0.0.1:5001/token', service: 'registry', scope: 'repository:foo:pull' },
      },
    ]);
  });

  it('parses the registry basic challenge', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
  });

  it('keeps commas and colons inside quoted values', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
    );
    expect(c!.params.scope).toBe('repository:a/b:pull,push');
    expect(c!.params.service).toBe('registry.docker.io');
  });

  it('handles several scopes and an error parameter', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull repository:c/d:pull",error="insufficient_scope"',
    );
    expect(c!.params).toEqual({
      realm: 'https://ghcr.io/token',
      service: 'ghcr.io',
      scope: 'repository:a/b:pull repository:c/d:pull',
      error: 'insufficient_scope',
    });
  });

  it('unescapes quoted-pairs', () => {
    const [c] = parseWwwAuthenticate('Basic realm="say \\"hi\\", \\\\ok"');
    expect(c!.params.realm).toBe('say "hi", \\ok');
  });

  it('lowercases scheme and parameter names but not values', () => {
    const [c] = parseWwwAuthenticate('BEARER Realm="X",SERVICE=Registry');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'X', service: 'Registry' } });
  });

  it('accepts unquoted token values', () => {
    const [c] = parseWwwAuthenticate('Bearer realm=https-token, service=registry.example.com');
    expect(c!.params).toEqual({ realm: 'https-token', service: 'registry.example.com' });
  });

  it('splits several challenges in one header', () => {
    expect(
      parseWwwAuthenticate('Basic realm="simple", Bearer realm="https://a/token",service="a" , Negotiate'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } },
      { scheme: 'negotiate', params: {} },
    ]);
  });

  it('parses the RFC 7235 example with a token68-free mixture', () => {
    expect(
      parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  it('parses token68 values', () => {
    expect(parseWwwAuthenticate('Negotiate YIIFyQYGKwYBBQUCoIIFvTCCBbmgMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHg==')).toEqual([
      {
        scheme: 'negotiate',
        params: {},
        token68: 'YIIFyQYGKwYBBQUCoIIFvTCCBbmgMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHg==',
      },
    ]);
    expect(parseWwwAuthenticate('Foo abc=, Basic realm="x"')).toEqual([
      { scheme: 'foo', params: {}, token68: 'abc=' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('tolerates extra whitespace and empty list elements', () => {
    expect(parseWwwAuthenticate('  ,  Bearer   realm = "r" ,\t service\t=\t"s"  ,, ,Basic  realm="b"  ')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
      { scheme: 'basic', params: { realm: 'b' } },
    ]);
  });

  it('returns no challenges for an empty header', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('   ')).toEqual([]);
  });

  it('keeps the last value of a repeated parameter', () => {
    expect(parseWwwAuthenticate('Bearer realm="a", realm="b"')[0]!.params.realm).toBe('b');
  });

  it('reads a lone `name=` as token68, as the grammar requires', () => {
    expect(parseWwwAuthenticate('Bearer realm=')).toEqual([{ scheme: 'bearer', params: {}, token68: 'realm=' }]);
  });

  it('allows empty quoted values', () => {
    expect(parseWwwAuthenticate('Bearer realm="",scope=""')[0]!.params).toEqual({ realm: '', scope: '' });
  });

  it.each([
    ['Bearer realm="unterminated', /not terminated/],
    ['Bearer a="x", realm=', /no value/],
    ['Bearer realm="a" service="b"', /expected ","/],
    ['"quoted"', /expected an auth scheme/],
    ['Bearer;realm=x', /space after auth scheme/],
    ['Bearer @@@', /parameters or a token68/],
  ])('rejects %j', (header, message) => {
    expect(() => parseWwwAuthenticate(header)).toThrow(WwwAuthenticateParseError);
    expect(() => parseWwwAuthenticate(header)).toThrow(message);
  });

  it('reports the header and offset on errors', () => {
    try {
      parseWwwAuthenticate('Bearer realm="x');
      expect.unreachable();
    } catch (e) {
      const err = e as WwwAuthenticateParseError;
      expect(err.name).toBe('WwwAuthenticateParseError');
      expect(err.header).toBe('Bearer realm="x');
      expect(err.position).toBe(13);
      expect(err.message).toContain('Bearer realm=\\"x');
    }
  });
});
