import { TsdockError, type ErrorKind } from '../errors.js';
// Resource flags with Docker's parsing and limits: --memory (go-units RAMInBytes), --cpus
// (NanoCPUs -> CFS quota/period) and --pids-limit, and the daemon's validation messages.

export class ResourceError extends TsdockError {
  override readonly name = 'ResourceError';
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** Docker refuses smaller limits (linuxMinMemory): the runtime itself needs some memory. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/** CFS period Docker uses for --cpus: 100 ms. */
export const CPU_PERIOD_US = 100_000;

const BINARY_UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/**
 * Docker's RAMInBytes: a number (fractions allowed) with an optional case-insensitive unit
 * b, k, m, g, t, p (binary multiples), optionally followed by `b` or `ib`: `32m`, `1.5GiB`, `512kb`.
 */
export function parseMemory(s: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+) ?([a-zA-Z]*)$/.exec(s);
  if (!m) throw new ResourceError(`invalid size: '${s}'`);
  const value = Number(m[1]);
  const suffix = m[2].toLowerCase();
  let bytes: number;
  if (suffix === '' || suffix === 'b') bytes = value;
  else {
    const unit = BINARY_UNITS[suffix[0]];
    if (unit === undefined || suffix.length > 3 || (suffix.length > 1 && suffix.slice(1) !== 'b' && suffix.slice(1) !== 'ib')) {
      throw new ResourceError(`invalid size: '${s}' (unknown suffix '${m[2]}')`);
    }
    bytes = value * unit;
  }
  if (!Number.isSafeInteger(Math.floor(bytes))) throw new ResourceError(`invalid size: '${s}' (too large)`);
  return Math.floor(bytes);
}

/** 0 means unlimited; anything else must be at least 6 MiB, as Docker's daemon requires. */
export function validateMemory(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 0) throw new ResourceError(`invalid memory limit: ${bytes}`);
  if (bytes !== 0 && bytes < MIN_MEMORY_BYTES) throw new ResourceError('Minimum memory limit allowed is 6MB');
}

/** Docker's NanoCPUs parsing of --cpus: a decimal number with at most 9 fractional digits. */
export function parseCpus(s: string): number {
  const m = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/.exec(s.trim());
  if (!m) throw new ResourceError(`invalid value '${s}' for --cpus: not a number`);
  const fraction = m[2] ?? m[3] ?? '';
  if (fraction.replace(/0+$/, '').length > 9) throw new ResourceError(`invalid value '${s}' for --cpus: value is too precise`);
  return Number(s);
}

/** Docker's range check: at least 0.01 and at most the host's CPU count. */
export function validateCpus(cpus: number, hostCpus: number): void {
  if (!(cpus >= 0.01 && cpus <= hostCpus)) {
    throw new ResourceError(`range of CPUs is from 0.01 to ${hostCpus}.00, as there are only ${hostCpus} CPUs available`);
  }
}

/** CFS bandwidth for --cpus, computed through whole nano-CPUs as Docker does (quota truncates). */
export function cpuQuota(cpus: number): { quota: number; period: number } {
  const nanoCpus = Math.round(cpus * 1e9);
  // nano * period / 1e9 with period = 1e5, kept exact for large values by dividing once.
  return { quota: Math.floor(nanoCpus / (1e9 / CPU_PERIOD_US)), period: CPU_PERIOD_US };
}

/** Docker maps 0 and negative --pids-limit to "unlimited", which runc spells -1. */
export function pidsLimitValue(limit: number): number {
  if (!Number.isInteger(limit)) throw new ResourceError(`invalid pids limit: ${limit}`);
  return limit > 0 ? limit : -1;
}
