// OCI platforms (image-spec "platform" object), normalized and matched the way
// containerd's platforms package does, so `--platform` values and index
// entries compare the same as they would under Docker.
//
// One deliberate difference in canonical form: containerd normalizes arm64/v8
// to an empty variant, while we normalize an empty arm64 variant to "v8"
// (what Docker shows and what most indexes carry). The two forms group exactly
// the same platforms together, so matching results are identical.

import { endianness } from 'node:os';
import { TsdockError } from '../errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export class InvalidPlatformError extends TsdockError {
  override readonly name = 'InvalidPlatformError';
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(
      'invalid-argument',
      `invalid platform "${input}": ${problem}; use "os/arch[/variant]" such as "linux/amd64" or "linux/arm64/v8", or just an architecture such as "arm64"`,
    );
  }
}

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);

// Normalized (Go GOARCH) names; aliases such as x86_64 are normalized first.
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips',
  'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm',
]);

const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  // tsdock only runs Linux containers, so a missing OS means Linux.
  if (lower === '') return 'linux';
  if (lower === 'macos') return 'darwin';
  return lower;
}

function normalizeArch(architecture: string, variant: string): { architecture: string; variant: string } {
  const arch = architecture.toLowerCase();
  const v = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      return { architecture: '386', variant: '' };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      // amd64 v1 is the baseline, i.e. plain amd64.
      return { architecture: 'amd64', variant: v === 'v1' ? '' : v };
    case 'aarch64':
    case 'arm64':
      if (v === '' || v === '8' || v === 'v8' || v === 'v8.0') return { architecture: 'arm64', variant: 'v8' };
      if (v === '9' || v === '9.0' || v === 'v9.0') return { architecture: 'arm64', variant: 'v9' };
      return { architecture: 'arm64', variant: v };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      if (v === '' || v === '7') return { architecture: 'arm', variant: 'v7' };
      if (v === '5' || v === '6' || v === '8') return { architecture: 'arm', variant: `v${v}` };
      return { architecture: 'arm', variant: v };
    default:
      return { architecture: arch, variant: v };
  }
}

function make(os: string, architecture: string, variant: string): Platform {
  return variant === '' ? { os, architecture } : { os, architecture, variant };
}

/**
 * Canonical form: lowercase, Go/OCI architecture names (aarch64 -> arm64,
 * x86_64 -> amd64, i386 -> 386, armhf -> arm/v7 ...), arm defaulting to v7 and
 * arm64 to v8, amd64/v1 collapsing to amd64, and an empty OS meaning linux.
 */
export function normalizePlatform(p: Platform): Platform {
  // Index entries come from untrusted JSON, so tolerate missing fields.
  const { architecture, variant } = normalizeArch(p.architecture ?? '', p.variant ?? '');
  return make(normalizeOs(p.os ?? ''), architecture, variant);
}

/**
 * Parses a `--platform` value: "os/arch[/variant]", or a single component that
 * is either an OS (the host's architecture is assumed) or an architecture
 * (linux is assumed). The result is normalized.
 */
export function parsePlatform(s: string): Platform {
  if (s.trim() === '') throw new InvalidPlatformError(s, 'the platform is empty');
  if (s.includes('*')) throw new InvalidPlatformError(s, 'wildcards are not supported');
  const parts = s.split('/');
  if (parts.length > 3) throw new InvalidPlatformError(s, `expected at most 3 "/"-separated parts, got ${parts.length}`);
  for (const part of parts) {
    if (!COMPONENT_RE.test(part)) {
      throw new InvalidPlatformError(
        s,
        part === '' ? 'it has an empty component' : `component "${part}" may only contain letters, digits, "_", "." and "-"`,
      );
    }
  }

  const [first, arch, variant] = parts as [string, string | undefined, string | undefined];
  if (arch !== undefined) {
    const os = normalizeOs(first);
    if (!KNOWN_OS.has(os)) throw new InvalidPlatformError(s, `unknown operating system "${first}"`);
    return normalizePlatform({ os, architecture: arch, ...(variant !== undefined ? { variant } : {}) });
  }

  const os = normalizeOs(first);
  if (KNOWN_OS.has(os)) {
    const host = hostPlatform();
    return normalizePlatform({ ...host, os });
  }
  const normalized = normalizePlatform({ os: 'linux', architecture: first });
  if (KNOWN_ARCH.has(normalized.architecture)) return normalized;
  throw new InvalidPlatformError(s, `"${first}" is neither a known operating system nor a known architecture`);
}

/** "os/arch" or "os/arch/variant", as Docker prints platforms. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * Maps Node's process.platform / process.arch to an OCI platform. `armVersion`
 * is Node's build-time ARM level (process.config.variables.arm_version).
 */
export function platformFromNode(
  nodePlatform: string,
  nodeArch: string,
  options: { armVersion?: string; littleEndian?: boolean } = {},
): Platform {
  const os =
    nodePlatform === 'win32' ? 'windows' : nodePlatform === 'sunos' ? 'solaris' : nodePlatform === 'cygwin' ? 'windows' : nodePlatform;
  let architecture: string;
  let variant = '';
  switch (nodeArch) {
    case 'x64':
      architecture = 'amd64';
      break;
    case 'ia32':
      architecture = '386';
      break;
    case 'arm64':
      architecture = 'arm64';
      break;
    case 'arm':
      architecture = 'arm';
      variant = options.armVersion && /^[5-8]$/.test(options.armVersion) ? `v${options.armVersion}` : 'v7';
      break;
    case 'ppc64':
      // Node reports "ppc64" for both byte orders; Linux distributions ship ppc64le.
      architecture = options.littleEndian === false ? 'ppc64' : 'ppc64le';
      break;
    case 'mipsel':
      architecture = 'mipsle';
      break;
    case 'mips64el':
      architecture = 'mips64le';
      break;
    default:
      // s390x, riscv64, loong64, ppc, mips, s390 ... already match Go's names.
      architecture = nodeArch;
  }
  return normalizePlatform(make(os, architecture, variant));
}

/** The platform of the machine tsdock runs on. */
export function hostPlatform(): Platform {
  const vars = process.config.variables as unknown as Record<string, unknown>;
  const armVersion = vars['arm_version'];
  return platformFromNode(process.platform, process.arch, {
    ...(typeof armVersion === 'string' || typeof armVersion === 'number' ? { armVersion: String(armVersion) } : {}),
    littleEndian: endianness() === 'LE',
  });
}

/**
 * Platforms a `want` machine can run, best first, mirroring containerd's
 * platforms.Only: older amd64 levels then 386; older arm variants down to v5;
 * arm64 revisions down to v8.0, then 32-bit arm.
 */
export function compatiblePlatforms(want: Platform): Platform[] {
  const p = normalizePlatform(want);
  const out: Platform[] = [p];
  const level = (v: string | undefined): number => (v && /^v\d+$/.test(v) ? Number(v.slice(1)) : NaN);

  if (p.architecture === 'amd64') {
    for (let n = level(p.variant) - 1; n >= 1; n--) out.push(make(p.os, 'amd64', n === 1 ? '' : `v${n}`));
    out.push(make(p.os, '386', ''));
  } else if (p.architecture === 'arm') {
    for (let n = level(p.variant) - 1; n >= 5; n--) out.push(make(p.os, 'arm', `v${n}`));
  } else if (p.architecture === 'arm64') {
    const m = /^v(8|9)(?:\.(\d))?$/.exec(p.variant ?? '');
    if (!m) return out; // unknown arm64 revision: exact match only
    const major = Number(m[1]);
    const minor = Number(m[2] ?? '0');
    out.length = 0;
    const revisions: [number, number][] = [[major, minor]];
    // Armv9.x includes Armv8.(x+5), capped at 8.9.
    if (major === 9) revisions.push([8, Math.min(minor + 5, 9)]);
    for (const [maj, top] of revisions) {
      for (let n = top; n >= 0; n--) out.push(make(p.os, 'arm64', n === 0 ? `v${maj}` : `v${maj}.${n}`));
    }
    for (let n = 8; n >= 5; n--) out.push(make(p.os, 'arm', `v${n}`));
  }
  return out;
}

function isUnknown(p: Platform): boolean {
  // Attestation manifests (e.g. BuildKit provenance) are listed as unknown/unknown.
  return p.os === 'unknown' || p.architecture === 'unknown';
}

function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/**
 * Picks the index entry to pull for `want`. By default only an exact match
 * after normalization counts (so arm64 matches arm64/v8 and arm matches
 * arm/v7). With `compatible: true` the entry for the best platform that `want`
 * can also run is chosen, as Docker does (e.g. 386 on amd64, arm/v6 on arm/v7).
 * Entries without a platform or marked unknown (attestations) are ignored; ties
 * go to the earliest entry.
 */
export function selectManifest<T extends { platform?: Platform }>(
  entries: T[],
  want: Platform,
  options: { compatible?: boolean } = {},
): T | undefined {
  const candidates = entries
    .filter((e) => e.platform !== undefined && !isUnknown(e.platform))
    .map((e) => ({ entry: e, platform: normalizePlatform(e.platform!) }));
  const preferences = options.compatible ? compatiblePlatforms(want) : [normalizePlatform(want)];
  for (const pref of preferences) {
    const hit = candidates.find((c) => samePlatform(c.platform, pref));
    if (hit) return hit.entry;
  }
  return undefined;
}
