// Seccomp for the OCI spec: Docker-format profiles (conditional rules with includes/excludes on
// capabilities and architectures) resolved into the plain OCI `linux.seccomp` object for one
// container, the way moby's profiles/seccomp setupSeccomp does. The default profile is data in
// seccomp-default-rules.ts; custom profiles (`--security-opt seccomp=<json>`) use the same path.
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default-rules.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export type SeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_NOTIFY';

export type SeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

export interface OciSeccompArg {
  index: number;
  value: number;
  /** For SCMP_CMP_MASKED_EQ: (arg & value) == valueTwo. */
  valueTwo?: number;
  op: SeccompOperator;
}

export interface OciSyscallRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

/** The OCI runtime-spec `linux.seccomp` object. */
export interface OciSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures: string[];
  flags?: string[];
  syscalls: OciSyscallRule[];
}

/** A condition of a Docker-format rule; `arches` uses Docker's names (amd64, x86, x32, arm64...). */
export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  /** "major.minor"; the rule applies from that kernel on. */
  minKernel?: string;
}

export interface DockerSyscallRule {
  name?: string;
  names?: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

/** Docker's profile file format (moby profiles/seccomp Seccomp). */
export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  syscalls?: DockerSyscallRule[];
}

export interface SeccompTarget {
  /** Docker's native arch name; default amd64. */
  arch?: string;
  /** Running kernel; rules with minKernel are kept when undefined (this project targets 6.x). */
  kernel?: { major: number; minor: number };
}

export class SeccompProfileError extends TsdockError {
  override readonly name = 'SeccompProfileError';
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const SECCOMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  x32: 'SCMP_ARCH_X32',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
};

/** Docker's default profile for a container holding `caps` (its bounding set). */
export function defaultSeccompProfile(caps: readonly string[] = DEFAULT_CAPABILITIES, target: SeccompTarget = {}): OciSeccomp {
  return resolveSeccompProfile(DEFAULT_SECCOMP_PROFILE, caps, target);
}

/** Keeps the rules whose conditions hold for this container; drops Docker-only fields. */
export function resolveSeccompProfile(profile: DockerSeccompProfile, caps: readonly string[], target: SeccompTarget = {}): OciSeccomp {
  const arch = target.arch ?? 'amd64';
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new SeccompProfileError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  let architectures = profile.architectures ?? [];
  if (profile.archMap?.length) {
    const native = profile.archMap.find((a) => a.architecture === SECCOMP_ARCH[arch]);
    architectures = native ? [native.architecture, ...(native.subArchitectures ?? [])] : [];
  }

  const capSet = new Set(caps);
  const kernelAtLeast = (v: string) => {
    if (!target.kernel) return true;
    const [major, minor] = v.split('.').map(Number);
    return target.kernel.major > major || (target.kernel.major === major && target.kernel.minor >= minor);
  };
  const excluded = (f: SeccompFilter | undefined) =>
    !!f &&
    ((f.arches?.includes(arch) ?? false) ||
      (f.caps?.some((c) => capSet.has(c)) ?? false) ||
      (f.minKernel !== undefined && kernelAtLeast(f.minKernel)));
  const included = (f: SeccompFilter | undefined) =>
    !f ||
    ((!f.arches?.length || f.arches.includes(arch)) &&
      (f.caps ?? []).every((c) => capSet.has(c)) &&
      (f.minKernel === undefined || kernelAtLeast(f.minKernel)));

  const syscalls: OciSyscallRule[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (rule.name && rule.names?.length) {
      throw new SeccompProfileError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
    }
    if (excluded(rule.excludes) || !included(rule.includes)) continue;
    const out: OciSyscallRule = { names: rule.name ? [rule.name] : [...(rule.names ?? [])], action: rule.action };
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
    if (rule.args?.length) out.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(out);
  }

  const result: OciSeccomp = { defaultAction: profile.defaultAction, architectures, syscalls };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  if (profile.flags?.length) result.flags = [...profile.flags];
  return result;
}

/** A profile as the Docker CLI sends it: `--security-opt seccomp=<file>` carries the file's JSON. */
export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let profile: DockerSeccompProfile;
  try {
    profile = JSON.parse(json) as DockerSeccompProfile;
  } catch (e) {
    throw new SeccompProfileError(`decoding seccomp profile failed: ${(e as Error).message}`);
  }
  if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string') {
    throw new SeccompProfileError('decoding seccomp profile failed: no defaultAction');
  }
  return profile;
}
