import { TsdockError } from '../errors.js';
// Linux capabilities as Docker hands them to the OCI runtime: a default set of 14, `--cap-add`
// / `--cap-drop` applied with Docker's rules (case-insensitive, CAP_ prefix optional, "ALL"),
// and bit masks so tests can compare with /proc/<pid>/status (CapEff/CapBnd are hex masks).

/** Every capability of Linux 6.x; the index is the capability number (cap_last_cap = 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
];

/** Docker's default set (moby oci/caps DefaultCapabilities), in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';
const NUMBER_OF = new Map(ALL_CAPABILITIES.map((name, i) => [name, i]));

export class UnknownCapabilityError extends TsdockError {
  override readonly name = 'UnknownCapabilityError';
  constructor(readonly capability: string) {
    super('invalid-argument', `unknown capability: "${capability}"`);
  }
}

/** A known capability the runtime itself does not hold (e.g. CAP_SYS_RESOURCE on this host). */
export class UnavailableCapabilityError extends TsdockError {
  override readonly name = 'UnavailableCapabilityError';
  constructor(readonly capability: string) {
    super('invalid-argument', `capability not supported by your kernel or not available in the current environment: "${capability}"`);
  }
}

/** `net_admin`, `NET_ADMIN`, `cap_net_admin` -> `CAP_NET_ADMIN`; `all` -> `ALL`. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === ALL) return ALL;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!NUMBER_OF.has(full)) throw new UnknownCapabilityError(full);
  return full;
}

/**
 * Docker's TweakCapabilities: `ALL` in add means every available capability minus the drops;
 * `ALL` in drop means only the adds; otherwise drop from base, then add. `available` is the set
 * the runtime can grant (its own bounding set); asking for anything outside it is an error, as
 * Docker reports it rather than letting runc fail with EPERM.
 */
export function applyCapabilityChanges(
  base: readonly string[],
  add: readonly string[],
  drop: readonly string[],
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const adds = add.map(normalizeCapability);
  const drops = drop.map(normalizeCapability);
  const availableSet = new Set(available);
  for (const c of [...adds, ...drops]) {
    if (c !== ALL && !availableSet.has(c)) throw new UnavailableCapabilityError(c);
  }
  let caps: string[];
  if (adds.includes(ALL)) caps = available.filter((c) => !drops.includes(c));
  else if (drops.includes(ALL)) caps = adds;
  else caps = [...base.filter((c) => !drops.includes(c)), ...adds];
  return [...new Set(caps)];
}

/** One bit per capability number: the form of CapEff/CapPrm/CapBnd in /proc/<pid>/status. */
export function capabilityMask(caps: readonly string[]): bigint {
  let mask = 0n;
  for (const c of caps) {
    const n = NUMBER_OF.get(normalizeCapability(c));
    if (n !== undefined) mask |= 1n << BigInt(n);
  }
  return mask;
}

/** The inverse of capabilityMask, e.g. for the runtime's own CapBnd; unknown high bits are ignored. */
export function capabilitiesFromMask(mask: bigint): string[] {
  return ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}
