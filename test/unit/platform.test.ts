import { describe, expect, it } from 'vitest';
import {
  InvalidPlatformError,
  compatiblePlatforms,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformFromNode,
  selectManifest,
  type Platform,
} from '../../src/core/oci/platform.js';

describe('normalizePlatform', () => {
  it.each<[Platform, Platform]>([
    [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ os: 'linux', architecture: 'arm64', variant: '8' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8.0' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8.2' }, { os: 'linux', architecture: 'arm64', variant: 'v8.2' }],
    [{ os: 'linux', architecture: 'arm64', variant: '9.0' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    [{ os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'linux', architecture: 'x86-64' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }],
    [{ os: 'linux', architecture: 'i386', variant: 'whatever' }, { os: 'linux', architecture: '386' }],
    [{ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ os: 'linux', architecture: 'arm', variant: '7' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ os: 'linux', architecture: 'arm', variant: '6' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [{ os: 'linux', architecture: 'armhf' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ os: 'linux', architecture: 'armel' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [{ os: 'Linux', architecture: 'AMD64' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'macos', architecture: 'arm64' }, { os: 'darwin', architecture: 'arm64', variant: 'v8' }],
    [{ os: '', architecture: 's390x' }, { os: 'linux', architecture: 's390x' }],
    [{ os: 'linux', architecture: 'ppc64le' }, { os: 'linux', architecture: 'ppc64le' }],
  ])('%j -> %j', (input, want) => {
    expect(normalizePlatform(input)).toEqual(want);
  });

  it('is idempotent and does not mutate its input', () => {
    const input: Platform = { os: 'Linux', architecture: 'aarch64' };
    const once = normalizePlatform(input);
    expect(normalizePlatform(once)).toEqual(once);
    expect(input).toEqual({ os: 'Linux', architecture: 'aarch64' });
  });
});

describe('parsePlatform', () => {
  it.each<[string, Platform]>([
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v2', { os: 'linux', architecture: 'amd64', variant: 'v2' }],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['Linux/AArch64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
    ['linux/riscv64', { os: 'linux', architecture: 'riscv64' }],
    ['arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['amd64', { os: 'linux', architecture: 'amd64' }],
    ['aarch64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['armhf', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['s390x', { os: 'linux', architecture: 's390x' }],
  ])('%s', (input, want) => {
    expect(parsePlatform(input)).toEqual(want);
  });

  it('takes a bare OS to mean the host architecture', () => {
    const host = hostPlatform();
    expect(parsePlatform('linux')).toEqual({ ...host, os: 'linux' });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['linux/', /empty component/],
    ['/amd64', /empty component/],
    ['linux//v8', /empty component/],
    ['linux/amd64/v2/extra', /at most 3/],
    ['linux/*', /wildcards/],
    ['linux/amd 64', /may only contain/],
    ['windows(10.0.17763)/amd64', /may only contain/],
    ['plan10/amd64', /unknown operating system "plan10"/],
    ['potato', /neither a known operating system nor a known architecture/],
  ])('rejects %j', (input, message) => {
    expect(() => parsePlatform(input)).toThrow(InvalidPlatformError);
    expect(() => parsePlatform(input)).toThrow(message);
  });

  it('names the input and suggests the format', () => {
    expect(() => parsePlatform('potato')).toThrow(/invalid platform "potato".*linux\/amd64/);
  });
});

describe('formatPlatform', () => {
  it('joins os/arch[/variant]', () => {
    expect(formatPlatform({ os: 'linux', architecture: 'amd64' })).toBe('linux/amd64');
    expect(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe('linux/arm64/v8');
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: '' })).toBe('linux/arm');
  });

  it('round-trips through parsePlatform', () => {
    for (const s of ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'linux/ppc64le']) {
      expect(formatPlatform(parsePlatform(s))).toBe(s);
    }
  });
});

describe('hostPlatform / platformFromNode', () => {
  it.each<[string, string, Parameters<typeof platformFromNode>[2], Platform]>([
    ['linux', 'x64', {}, { os: 'linux', architecture: 'amd64' }],
    ['linux', 'arm64', {}, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux', 'arm', {}, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux', 'arm', { armVersion: '6' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux', 'ia32', {}, { os: 'linux', architecture: '386' }],
    ['linux', 'ppc64', { littleEndian: true }, { os: 'linux', architecture: 'ppc64le' }],
    ['aix', 'ppc64', { littleEndian: false }, { os: 'aix', architecture: 'ppc64' }],
    ['linux', 's390x', {}, { os: 'linux', architecture: 's390x' }],
    ['linux', 'riscv64', {}, { os: 'linux', architecture: 'riscv64' }],
    ['linux', 'loong64', {}, { os: 'linux', architecture: 'loong64' }],
    ['linux', 'mipsel', {}, { os: 'linux', architecture: 'mipsle' }],
    ['linux', 'mips64el', {}, { os: 'linux', architecture: 'mips64le' }],
    ['darwin', 'arm64', {}, { os: 'darwin', architecture: 'arm64', variant: 'v8' }],
    ['win32', 'x64', {}, { os: 'windows', architecture: 'amd64' }],
    ['sunos', 'x64', {}, { os: 'solaris', architecture: 'amd64' }],
  ])('%s/%s %j', (os, arch, opts, want) => {
    expect(platformFromNode(os, arch, opts)).toEqual(want);
  });

  it('describes this machine in normalized form', () => {
    const host = hostPlatform();
    expect(normalizePlatform(host)).toEqual(host);
    expect(host.os).toBe(process.platform === 'win32' ? 'windows' : process.platform);
    if (process.arch === 'x64') expect(host).toEqual({ os: host.os, architecture: 'amd64' });
    if (process.arch === 'arm64') expect(host.variant).toBe('v8');
  });
});

describe('selectManifest', () => {
  type Entry = { digest: string; platform?: Platform };
  const amd64: Entry = { digest: 'sha256:amd64', platform: { os: 'linux', architecture: 'amd64' } };
  const arm64: Entry = { digest: 'sha256:arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
  const armv7: Entry = { digest: 'sha256:armv7', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } };
  const armv6: Entry = { digest: 'sha256:armv6', platform: { os: 'linux', architecture: 'arm', variant: 'v6' } };
  const i386: Entry = { digest: 'sha256:386', platform: { os: 'linux', architecture: '386' } };
  const attAmd64: Entry = { digest: 'sha256:att1', platform: { os: 'unknown', architecture: 'unknown' } };
  const attArm64: Entry = { digest: 'sha256:att2', platform: { os: 'unknown', architecture: 'unknown' } };
  const index = [amd64, arm64, attAmd64, attArm64];

  it('picks amd64 from an amd64 + arm64/v8 index', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'amd64' })).toBe(amd64);
  });

  it('matches arm64 with or without the v8 variant on either side', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64' })).toBe(arm64);
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(arm64);
    const bare: Entry = { digest: 'sha256:bare', platform: { os: 'linux', architecture: 'arm64' } };
    expect(selectManifest([amd64, bare], { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(bare);
    expect(selectManifest([amd64, bare], { os: 'linux', architecture: 'aarch64' })).toBe(bare);
  });

  it('normalizes aliases on both sides', () => {
    const x86: Entry = { digest: 'sha256:x86', platform: { os: 'Linux', architecture: 'x86_64' } };
    expect(selectManifest([x86], { os: 'linux', architecture: 'amd64' })).toBe(x86);
    expect(selectManifest([amd64], parsePlatform('x86_64'))).toBe(amd64);
  });

  it('matches variants exactly by default', () => {
    const arms = [armv6, armv7];
    expect(selectManifest(arms, { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(armv6);
    expect(selectManifest(arms, { os: 'linux', architecture: 'arm' })).toBe(armv7);
    expect(selectManifest([armv6], { os: 'linux', architecture: 'arm', variant: 'v7' })).toBeUndefined();
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v9' })).toBeUndefined();
    const amd64v3: Entry = { digest: 'sha256:v3', platform: { os: 'linux', architecture: 'amd64', variant: 'v3' } };
    expect(selectManifest([amd64v3], { os: 'linux', architecture: 'amd64' })).toBeUndefined();
  });

  it('skips attestation entries even when asked for unknown/unknown', () => {
    expect(selectManifest([attAmd64, amd64], { os: 'linux', architecture: 'amd64' })).toBe(amd64);
    expect(selectManifest(index, { os: 'unknown', architecture: 'unknown' })).toBeUndefined();
    expect(selectManifest([attAmd64, attArm64], { os: 'linux', architecture: 'amd64' })).toBeUndefined();
  });

  it('skips entries without a platform', () => {
    const none: Entry = { digest: 'sha256:none' };
    expect(selectManifest([none, amd64], { os: 'linux', architecture: 'amd64' })).toBe(amd64);
    expect(selectManifest([none], { os: 'linux', architecture: 'amd64' })).toBeUndefined();
  });

  it('returns undefined when nothing matches', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
    expect(selectManifest(index, { os: 'windows', architecture: 'amd64' })).toBeUndefined();
    expect(selectManifest([], { os: 'linux', architecture: 'amd64' })).toBeUndefined();
  });

  it('prefers the first of several equal matches', () => {
    const dup: Entry = { digest: 'sha256:dup', platform: { os: 'linux', architecture: 'amd64' } };
    expect(selectManifest([amd64, dup], { os: 'linux', architecture: 'amd64' })).toBe(amd64);
  });

  it('tolerates malformed platform objects from index JSON', () => {
    const broken = { digest: 'sha256:broken', platform: { os: 'linux' } as unknown as Platform };
    expect(selectManifest([broken, amd64], { os: 'linux', architecture: 'amd64' })).toBe(amd64);
  });

  describe('with compatible: true', () => {
    it('still prefers the exact match', () => {
      expect(selectManifest([i386, amd64], { os: 'linux', architecture: 'amd64' }, { compatible: true })).toBe(amd64);
      expect(selectManifest([armv6, armv7], { os: 'linux', architecture: 'arm', variant: 'v7' }, { compatible: true })).toBe(armv7);
    });

    it('falls back the way Docker does', () => {
      expect(selectManifest([arm64, i386], { os: 'linux', architecture: 'amd64' }, { compatible: true })).toBe(i386);
      expect(selectManifest([armv6], { os: 'linux', architecture: 'arm', variant: 'v7' }, { compatible: true })).toBe(armv6);
      expect(selectManifest([amd64, armv6, armv7], { os: 'linux', architecture: 'arm64' }, { compatible: true })).toBe(armv7);
      const amd64v2: Entry = { digest: 'sha256:v2', platform: { os: 'linux', architecture: 'amd64', variant: 'v2' } };
      expect(selectManifest([amd64, amd64v2], { os: 'linux', architecture: 'amd64', variant: 'v3' }, { compatible: true })).toBe(amd64v2);
    });

    it('never runs newer variants on older machines', () => {
      expect(selectManifest([armv7], { os: 'linux', architecture: 'arm', variant: 'v6' }, { compatible: true })).toBeUndefined();
      expect(selectManifest([arm64], { os: 'linux', architecture: 'arm', variant: 'v7' }, { compatible: true })).toBeUndefined();
      expect(selectManifest([amd64], { os: 'linux', architecture: '386' }, { compatible: true })).toBeUndefined();
    });
  });
});

describe('compatiblePlatforms', () => {
  const fmt = (p: Platform) => compatiblePlatforms(p).map(formatPlatform);

  it('orders amd64 levels then 386', () => {
    expect(fmt({ os: 'linux', architecture: 'amd64', variant: 'v3' })).toEqual([
      'linux/amd64/v3',
      'linux/amd64/v2',
      'linux/amd64',
      'linux/386',
    ]);
    expect(fmt({ os: 'linux', architecture: 'amd64' })).toEqual(['linux/amd64', 'linux/386']);
  });

  it('orders arm variants down to v5', () => {
    expect(fmt({ os: 'linux', architecture: 'arm' })).toEqual(['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  });

  it('orders arm64 revisions then 32-bit arm', () => {
    expect(fmt({ os: 'linux', architecture: 'arm64' })).toEqual([
      'linux/arm64/v8',
      'linux/arm/v8',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/arm/v5',
    ]);
    expect(fmt({ os: 'linux', architecture: 'arm64', variant: 'v8.2' }).slice(0, 3)).toEqual([
      'linux/arm64/v8.2',
      'linux/arm64/v8.1',
      'linux/arm64/v8',
    ]);
    expect(fmt({ os: 'linux', architecture: 'arm64', variant: 'v9.1' }).slice(0, 4)).toEqual([
      'linux/arm64/v9.1',
      'linux/arm64/v9',
      'linux/arm64/v8.6',
      'linux/arm64/v8.5',
    ]);
  });

  it('offers only the exact platform for other architectures', () => {
    expect(fmt({ os: 'linux', architecture: 's390x' })).toEqual(['linux/s390x']);
  });
});
