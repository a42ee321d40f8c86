// The translator from a resolved container to the OCI runtime `config.json` that runc runs:
// Docker's default spec (moby daemon/pkg/oci/defaults.go) with its per-container options applied
// (daemon/oci_linux.go: mounts, --privileged, --read-only, --init, resources, security opts).
// Pure: every host fact it needs (capabilities the runtime holds, rlimits) comes in as input.
import { posix } from 'node:path';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, applyCapabilityChanges } from './capabilities.js';
import { cpuQuota, pidsLimitValue, validateMemory, ResourceError } from './resources.js';
import {
  defaultSeccompProfile,
  parseSeccompProfile,
  resolveSeccompProfile,
  type DockerSeccompProfile,
  type OciSeccomp,
} from './seccomp-profile.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface SpecMount {
  destination: string;
  source: string;
  type: 'bind' | 'tmpfs';
  options: string[];
}

export interface SpecInput {
  id: string;
  /** The mounted overlay (merged) dir. */
  rootfsPath: string;
  readOnlyRootfs: boolean;
  process: {
    args: string[];
    env: string[];
    cwd: string;
    uid: number;
    gid: number;
    additionalGids: number[];
    terminal: boolean;
  };
  hostname: string;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** e.g. "no-new-privileges", "seccomp=unconfined", "seccomp=<profile JSON>". */
  securityOpt: string[];
  /** bytes */
  memory?: number;
  cpus?: number;
  pidsLimit?: number;
  network: 'none' | 'private' | 'host' | 'bridge' | 'container';
  /** An existing network namespace to join (bridge networking) instead of a new one. */
  netnsPath?: string;
  /** cgroupfs path, e.g. /tsdock/<id> */
  cgroupsPath: string;
  /** Binds, volumes, tmpfs, the hosts/hostname/resolv.conf files; appended after the defaults. */
  mounts: SpecMount[];
  /** catatonit on the host: mounted at /dev/init and run as PID 1. */
  init?: { hostPath: string };
  /** Omitted: the container inherits the caller's limits (Docker's default with no --ulimit). */
  rlimits?: OciRlimit[];
  /**
   * Capabilities the runtime can grant (its own bounding set, see capabilitiesFromMask);
   * --privileged and `--cap-add ALL` mean these. Default: every capability of Linux 6.x.
   */
  availableCapabilities?: readonly string[];
}

// ---- the OCI runtime-spec shapes (only the fields tsdock writes) ----

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  noNewPrivileges?: boolean;
  rlimits?: OciRlimit[];
}

export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OciDeviceRule {
  allow: boolean;
  /** a (all), b or c; omitted means all */
  type?: 'a' | 'b' | 'c';
  major?: number;
  minor?: number;
  access: string;
}

export interface OciResources {
  devices: OciDeviceRule[];
  memory?: { limit: number };
  cpu?: { quota: number; period: number };
  pids?: { limit: number };
}

export interface OciLinux {
  namespaces: { type: OciNamespaceType; path?: string }[];
  cgroupsPath: string;
  resources: OciResources;
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl?: Record<string, string>;
  seccomp?: OciSeccomp;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: OciLinux;
}

export const OCI_VERSION = '1.0.2';
/** Where --init's binary appears in the container (Podman's place; Docker uses /sbin/docker-init). */
export const INIT_PATH = '/dev/init';
/** Docker's default --shm-size, 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

// ---- Docker's defaults ----

function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${DEFAULT_SHM_SIZE}`] },
  ];
}

/** Kernel interfaces that leak host data or allow host changes; hidden behind /dev/null or an empty dir. */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * The devices cgroup: deny everything, then Docker's allow list. runc creates the standard nodes
 * (null, zero, full, random, urandom, tty, console, ptmx, pts) and appends its own allow rules.
 */
export const DEFAULT_DEVICE_RULES: readonly OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
];

/** Set by Docker for containers with their own network namespace (kernel >= 4.11 has both). */
export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = {
  // ping without CAP_NET_RAW
  'net.ipv4.ping_group_range': '0 2147483647',
  // binding ports < 1024 without CAP_NET_BIND_SERVICE
  'net.ipv4.ip_unprivileged_port_start': '0',
};

// Mounts the read-only rootfs leaves writable: they are not part of the image.
const WRITABLE_WITH_READONLY_ROOTFS = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

// ---- security options ----

export class SecurityOptError extends TsdockError {
  override readonly name = 'SecurityOptError';
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** 'default': Docker's profile; 'unconfined': none; otherwise a custom Docker-format profile. */
  seccomp: 'default' | 'unconfined' | DockerSeccompProfile;
}

/** Docker's --security-opt forms: `key=value`, the deprecated `key:value`, and bare `no-new-privileges`. */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const result: SecurityOptions = { noNewPrivileges: false, seccomp: 'default' };
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      result.noNewPrivileges = true;
      continue;
    }
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
    if (!sep) throw new SecurityOptError(`invalid --security-opt: "${opt}"`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    switch (key) {
      case 'no-new-privileges':
        result.noNewPrivileges = parseBool(value, opt);
        break;
      case 'seccomp':
        if (value === 'unconfined') result.seccomp = 'unconfined';
        else if (value === 'builtin' || value === 'default') result.seccomp = 'default';
        else if (value.trimStart().startsWith('{')) result.seccomp = parseSeccompProfile(value);
        else throw new SecurityOptError(`seccomp profile "${value}" must be passed as its JSON content (the CLI reads the file)`);
        break;
      case 'apparmor':
      case 'label':
        // No LSM profile is applied by tsdock, so only the values that ask for none are accepted.
        if (value !== 'unconfined' && value !== 'disable') throw new SecurityOptError(`--security-opt ${key} is not supported: "${opt}"`);
        break;
      default:
        throw new SecurityOptError(`invalid --security-opt: "${opt}"`);
    }
  }
  return result;
}

// Go's strconv.ParseBool, which Docker uses here.
function parseBool(value: string, opt: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new SecurityOptError(`invalid --security-opt: "${opt}"`);
}

// ---- the translator ----

export function buildOciSpec(input: SpecInput): OciSpec {
  const security = parseSecurityOpts(input.securityOpt);
  const available = input.availableCapabilities ?? ALL_CAPABILITIES;
  const caps = input.privileged
    ? [...available]
    : applyCapabilityChanges(DEFAULT_CAPABILITIES, input.capAdd, input.capDrop, available);

  const { process: p } = input;
  const args = input.init ? [INIT_PATH, '--', ...p.args] : [...p.args];
  const process: OciProcess = {
    terminal: p.terminal,
    // Docker lists the primary gid among the supplementary groups too.
    user: { uid: p.uid, gid: p.gid, additionalGids: [...new Set([p.gid, ...p.additionalGids])] },
    args,
    env: [...p.env],
    cwd: p.cwd || '/',
    // Inheritable and ambient stay empty (Docker 23+): exec'd programs get no caps from file bits alone.
    capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [], ambient: [] },
  };
  if (security.noNewPrivileges) process.noNewPrivileges = true;
  if (input.rlimits) process.rlimits = input.rlimits.map((r) => ({ ...r }));

  const linux: OciLinux = {
    namespaces: namespaces(input.network, input.netnsPath),
    cgroupsPath: input.cgroupsPath,
    resources: resources(input),
    maskedPaths: input.privileged ? [] : [...DEFAULT_MASKED_PATHS],
    readonlyPaths: input.privileged ? [] : [...DEFAULT_READONLY_PATHS],
  };
  // A joined namespace (container mode) is its owner's to configure.
  if (input.network !== 'host' && input.network !== 'container') linux.sysctl = { ...DEFAULT_NETWORK_SYSCTLS };
  const seccomp = seccompFor(security, input.privileged, caps);
  if (seccomp) linux.seccomp = seccomp;

  return {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfsPath, readonly: input.readOnlyRootfs },
    hostname: input.hostname,
    mounts: mounts(input),
    linux,
  };
}

function namespaces(network: SpecInput['network'], netnsPath: string | undefined): { type: OciNamespaceType; path?: string }[] {
  // 'none' still gets its own (empty but loopback) namespace; 'host' shares the host's.
  const types: OciNamespaceType[] = ['mount', ...(network === 'host' ? [] : (['network'] as const)), 'uts', 'pid', 'ipc', 'cgroup'];
  return types.map((type) => (type === 'network' && netnsPath ? { type, path: netnsPath } : { type }));
}

function resources(input: SpecInput): OciResources {
  // Privileged: the devices cgroup allows everything.
  // TODO: Docker also creates every host device node (linux.devices) for --privileged; runc does
  // not do that itself, so /dev holds only runc's defaults until tsdock lists the host's devices.
  const out: OciResources = {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })),
  };
  if (input.memory !== undefined && input.memory !== 0) {
    validateMemory(input.memory);
    // Swap is left unset (Docker sets 2x memory): swap accounting may be off on this host.
    out.memory = { limit: input.memory };
  }
  if (input.cpus !== undefined && input.cpus !== 0) {
    if (!(input.cpus > 0)) throw new ResourceError(`invalid --cpus: ${input.cpus}`);
    out.cpu = cpuQuota(input.cpus);
  }
  if (input.pidsLimit !== undefined) out.pids = { limit: pidsLimitValue(input.pidsLimit) };
  return out;
}

function seccompFor(security: SecurityOptions, privileged: boolean, caps: readonly string[]): OciSeccomp | undefined {
  if (security.seccomp === 'unconfined') return undefined;
  // Docker: privileged containers run unconfined unless a custom profile was asked for explicitly.
  if (security.seccomp === 'default') return privileged ? undefined : defaultSeccompProfile(caps);
  return resolveSeccompProfile(security.seccomp, caps);
}

function mounts(input: SpecInput): OciMount[] {
  // Parents before children, so a mount under another user mount is not hidden by it (stable
  // sort keeps the given order among equal depths).
  const user = input.mounts.map(toOciMount).sort((a, b) => depth(a.destination) - depth(b.destination));
  const userDestinations = new Set(user.map((m) => m.destination));
  const devReplaced = userDestinations.has('/dev');

  const defaults = defaultMounts().filter(
    (m) => !userDestinations.has(m.destination) && !(devReplaced && m.destination.startsWith('/dev/')),
  );
  for (const m of defaults) {
    if (input.readOnlyRootfs && !WRITABLE_WITH_READONLY_ROOTFS.has(m.destination) && !m.options.includes('ro')) m.options.push('ro');
    // Privileged: /sys and the cgroup tree writable, as Docker does.
    if (input.privileged && (m.type === 'sysfs' || m.type === 'cgroup')) m.options = m.options.filter((o) => o !== 'ro');
  }

  const all = [...defaults, ...user];
  // Last, so no user mount (even of /dev) can hide it.
  if (input.init) all.push({ destination: INIT_PATH, type: 'bind', source: input.init.hostPath, options: ['bind', 'ro'] });
  return all;
}

function toOciMount(m: SpecMount): OciMount {
  const destination = cleanPath(m.destination);
  if (m.type === 'tmpfs') return { destination, type: 'tmpfs', source: 'tmpfs', options: [...m.options] };
  // runc needs the bind flag in the options; Docker binds recursively unless told otherwise.
  const options = m.options.includes('bind') || m.options.includes('rbind') ? [...m.options] : ['rbind', ...m.options];
  return { destination, type: 'bind', source: m.source, options };
}

function cleanPath(p: string): string {
  const clean = posix.normalize(p);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

function depth(p: string): number {
  return p.split('/').length;
}
