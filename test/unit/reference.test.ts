import { describe, expect, it } from 'vitest';
import {
  InvalidReferenceError,
  familiarName,
  familiarString,
  formatReference,
  isDigest,
  parseReference,
  registryEndpointHost,
  type ImageReference,
  type InvalidReferenceReason,
} from '../../src/core/oci/reference.js';

const SHA = 'sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';
const HEX64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

function reasonOf(input: string): InvalidReferenceReason | 'ok' {
  try {
    parseReference(input);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidReferenceError);
    return (e as InvalidReferenceError).reason;
  }
}

describe('parseReference: valid references', () => {
  // [input, full form, familiar string, domain, path, tag, digest]
  const cases: [string, string, string, string, string, string | undefined, string | undefined][] = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
    ['docker.io/library/busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1', 'busybox:1', 'docker.io', 'library/busybox', '1', undefined],
    ['index.docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
    ['index.docker.io/user/repo', 'docker.io/user/repo:latest', 'user/repo:latest', 'docker.io', 'user/repo', 'latest', undefined],
    ['user/repo', 'docker.io/user/repo:latest', 'user/repo:latest', 'docker.io', 'user/repo', 'latest', undefined],
    ['user/repo:v2', 'docker.io/user/repo:v2', 'user/repo:v2', 'docker.io', 'user/repo', 'v2', undefined],
    ['library/foo/bar', 'docker.io/library/foo/bar:latest', 'library/foo/bar:latest', 'docker.io', 'library/foo/bar', 'latest', undefined],
    ['other/library', 'docker.io/other/library:latest', 'other/library:latest', 'docker.io', 'other/library', 'latest', undefined],
    ['localhost/foo', 'localhost/foo:latest', 'localhost/foo:latest', 'localhost', 'foo', 'latest', undefined],
    ['localhost/library/debian', 'localhost/library/debian:latest', 'localhost/library/debian:latest', 'localhost', 'library/debian', 'latest', undefined],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000', 'a/b', 'tag', undefined],
    [`127.0.0.1:5000/x@${SHA}`, `127.0.0.1:5000/x@${SHA}`, `127.0.0.1:5000/x@${SHA}`, '127.0.0.1:5000', 'x', undefined, SHA],
    ['example.com/a/b/c:v1.2-rc_3', 'example.com/a/b/c:v1.2-rc_3', 'example.com/a/b/c:v1.2-rc_3', 'example.com', 'a/b/c', 'v1.2-rc_3', undefined],
    ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase:latest', 'example.com:8000/private/moonbase:latest', 'example.com:8000', 'private/moonbase', 'latest', undefined],
    ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000/x:latest', '[::1]:5000', 'x', 'latest', undefined],
    ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest', '[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest', '[fc00:1:2:3:4:5:6:7]:5000', 'library/debian', 'latest', undefined],
    ['myregistry:5000/x', 'myregistry:5000/x:latest', 'myregistry:5000/x:latest', 'myregistry:5000', 'x', 'latest', undefined],
    [`busybox@${SHA}`, `docker.io/library/busybox@${SHA}`, `busybox@${SHA}`, 'docker.io', 'library/busybox', undefined, SHA],
    [`busybox:1.36@${SHA}`, `docker.io/library/busybox:1.36@${SHA}`, `busybox:1.36@${SHA}`, 'docker.io', 'library/busybox', '1.36', SHA],
    [`ghcr.io/org/app:v1@${SHA}`, `ghcr.io/org/app:v1@${SHA}`, `ghcr.io/org/app:v1@${SHA}`, 'ghcr.io', 'org/app', 'v1', SHA],
    // No '/' means no domain, so "host:port" alone is a repository plus tag.
    ['foo:5000', 'docker.io/library/foo:5000', 'foo:5000', 'docker.io', 'library/foo', '5000', undefined],
    ['192.168.0.1', 'docker.io/library/192.168.0.1:latest', '192.168.0.1:latest', 'docker.io', 'library/192.168.0.1', 'latest', undefined],
    // Uppercase first component is taken as a host, as in distribution/reference.
    ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest', 'Foo', 'bar', 'latest', undefined],
    ['docker---rules/dock__er', 'docker.io/docker---rules/dock__er:latest', 'docker---rules/dock__er:latest', 'docker.io', 'docker---rules/dock__er', 'latest', undefined],
    ['d/t', 'docker.io/d/t:latest', 'd/t:latest', 'docker.io', 'd/t', 'latest', undefined],
    ['busybox:_under', 'docker.io/library/busybox:_under', 'busybox:_under', 'docker.io', 'library/busybox', '_under', undefined],
    ['busybox:UPPER.case-Tag', 'docker.io/library/busybox:UPPER.case-Tag', 'busybox:UPPER.case-Tag', 'docker.io', 'library/busybox', 'UPPER.case-Tag', undefined],
    // A hex name is fine when a registry makes it unambiguous.
    [`docker.io/${HEX64}`, `docker.io/library/${HEX64}:latest`, `${HEX64}:latest`, 'docker.io', `library/${HEX64}`, 'latest', undefined],
  ];

  it.each(cases)('%s', (input, full, familiar, domain, path, tag, digest) => {
    const ref = parseReference(input);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(formatReference(ref)).toBe(full);
    expect(familiarString(ref)).toBe(familiar);
    // Normalization is idempotent through both printed forms.
    expect(parseReference(full)).toEqual(ref);
    expect(parseReference(familiar)).toEqual(ref);
  });

  it('omits absent tag/digest keys rather than setting them undefined', () => {
    expect(Object.keys(parseReference(`busybox@${SHA}`)).sort()).toEqual(['digest', 'domain', 'path']);
    expect(Object.keys(parseReference('busybox')).sort()).toEqual(['domain', 'path', 'tag']);
  });

  it('accepts a 128-character tag but not 129', () => {
    expect(parseReference(`busybox:${'a'.repeat(128)}`).tag).toHaveLength(128);
    expect(reasonOf(`busybox:${'a'.repeat(129)}`)).toBe('invalid-tag');
  });

  it('accepts sha512 and other algorithms per the grammar', () => {
    const sha512 = `sha512:${'ab'.repeat(64)}`;
    expect(parseReference(`busybox@${sha512}`).digest).toBe(sha512);
    const other = `multihash+base58:${'0123456789abcdef'.repeat(2)}`;
    expect(parseReference(`busybox@${other}`).digest).toBe(other);
  });
});

describe('parseReference: invalid references', () => {
  const cases: [string, InvalidReferenceReason][] = [
    ['', 'empty'],
    ['Busybox', 'uppercase'],
    ['docker/Docker', 'uppercase'],
    ['localhost:5000/Foo:tag', 'uppercase'],
    ['busybox:', 'invalid-tag'],
    [':tag', 'invalid-name'],
    ['busybox:-tag', 'invalid-tag'],
    ['busybox:.tag', 'invalid-tag'],
    ['busybox:ta+g', 'invalid-tag'],
    // A ':' before the first '/' makes Docker read the first component as host:port.
    ['busybox:ta/g', 'invalid-domain'],
    ['a//b', 'invalid-name'],
    ['docker///docker', 'invalid-name'],
    ['-a', 'invalid-name'],
    ['-docker/docker', 'invalid-name'],
    ['docker-/docker', 'invalid-name'],
    ['____/____', 'invalid-name'],
    // A '.' in the first component makes it a host, so these fail as hosts.
    ['dock..er/docker', 'invalid-domain'],
    ['dock_.er/docker', 'invalid-domain'],
    ['dock..er', 'invalid-name'],
    ['library/dock-.er', 'invalid-name'],
    ['docker/', 'invalid-name'],
    ['a b', 'invalid-name'],
    ['https://github.com/docker/docker', 'invalid-domain'],
    ['-docker.io/docker/docker', 'invalid-domain'],
    ['fc00::1:5000/debian', 'invalid-domain'],
    ['[fe80::1%eth0]:5000/debian', 'invalid-domain'],
    ['[fc00::1]:5000', 'invalid-name'],
    ['busybox@sha256:short', 'invalid-digest'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid-digest'],
    [`busybox@sha256:${'a'.repeat(65)}`, 'invalid-digest'],
    [`busybox@sha512:${'a'.repeat(64)}`, 'invalid-digest'],
    ['busybox@', 'invalid-digest'],
    [`busybox@${SHA.slice(7)}`, 'invalid-digest'],
    [`busybox@1sha:${'a'.repeat(32)}`, 'invalid-digest'],
    [HEX64, 'hex-identifier'],
  ];

  it.each(cases)('%j -> %s', (input, reason) => {
    expect(reasonOf(input)).toBe(reason);
  });

  it('names the input in the message', () => {
    expect(() => parseReference('Busybox')).toThrow(/"Busybox".*repository name must be lowercase/);
    expect(() => parseReference('busybox:')).toThrow(/"busybox:"/);
    expect(() => parseReference('busybox@sha256:short')).toThrow(/"busybox@sha256:short".*64 lowercase hex/);
    expect(() => parseReference('')).toThrow(/empty/);
  });

  it('refuses a 64-hex name with Docker\'s message', () => {
    expect(() => parseReference(HEX64)).toThrow(
      `invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings`,
    );
  });

  it('exposes input and reason on the error', () => {
    try {
      parseReference('a//b');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidReferenceError);
      expect(e).toBeInstanceOf(Error);
      const err = e as InvalidReferenceError;
      expect(err.input).toBe('a//b');
      expect(err.reason).toBe('invalid-name');
      expect(err.name).toBe('InvalidReferenceError');
    }
  });

  it('limits the repository path to 255 characters (the domain does not count)', () => {
    // 'library/' + 247 = 255 characters of path: the limit exactly.
    const atLimit = 'a'.repeat(247);
    expect(parseReference(atLimit).path).toHaveLength(255);
    expect(reasonOf('a'.repeat(248))).toBe('too-long');
    const longHost = `${'h'.repeat(60)}.example.com:5000`;
    expect(parseReference(`${longHost}/${'p'.repeat(255)}`).path).toHaveLength(255);
    expect(reasonOf(`${longHost}/${'p'.repeat(256)}`)).toBe('too-long');
    const namespaced = `${'n'.repeat(200)}/${'r'.repeat(56)}`;
    expect(reasonOf(namespaced)).toBe('too-long');
  });
});

describe('familiar forms', () => {
  const ref = (domain: string, path: string, extra: Partial<ImageReference> = {}): ImageReference => ({ domain, path, ...extra });

  it.each([
    [ref('docker.io', 'library/busybox'), 'busybox'],
    [ref('docker.io', 'user/repo'), 'user/repo'],
    [ref('docker.io', 'library/a/b'), 'library/a/b'],
    [ref('host:5000', 'a/b'), 'host:5000/a/b'],
    [ref('localhost', 'library/x'), 'localhost/library/x'],
  ])('familiarName(%j) = %s', (r, want) => {
    expect(familiarName(r)).toBe(want);
  });

  it('familiarString appends tag then digest', () => {
    expect(familiarString(ref('docker.io', 'library/busybox', { tag: 'latest' }))).toBe('busybox:latest');
    expect(familiarString(ref('docker.io', 'library/busybox', { digest: SHA }))).toBe(`busybox@${SHA}`);
    expect(familiarString(ref('host:5000', 'a/b', { tag: 'v1' }))).toBe('host:5000/a/b:v1');
    expect(familiarString(ref('host:5000', 'a/b', { tag: 'v1', digest: SHA }))).toBe(`host:5000/a/b:v1@${SHA}`);
  });

  it('formatReference prints the full form', () => {
    expect(formatReference(ref('host:5000', 'a/b', { digest: SHA }))).toBe(`host:5000/a/b@${SHA}`);
    expect(formatReference(ref('docker.io', 'library/busybox'))).toBe('docker.io/library/busybox');
  });
});

describe('registryEndpointHost', () => {
  it('maps Docker Hub to its API host and leaves others alone', () => {
    expect(registryEndpointHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryEndpointHost('localhost:5000')).toBe('localhost:5000');
    expect(registryEndpointHost('ghcr.io')).toBe('ghcr.io');
    expect(registryEndpointHost('[::1]:5000')).toBe('[::1]:5000');
  });
});

describe('isDigest', () => {
  it.each([
    [SHA, true],
    [`sha512:${'0'.repeat(128)}`, true],
    [`sha384:${'0'.repeat(96)}`, true],
    [`sha256:${'0'.repeat(63)}`, false],
    [`sha256:${'G'.repeat(64)}`, false],
    [`sha256:${'A'.repeat(64)}`, false],
    [HEX64, false],
    ['sha256:', false],
    ['', false],
    [`busybox@${SHA}`, false],
  ])('%s -> %s', (s, want) => {
    expect(isDigest(s)).toBe(want);
  });
});
