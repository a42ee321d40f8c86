import { readFile } from 'node:fs/promises';
import { parseNetworkConfig, type NetworkConfigKeys } from './network/network-config.js';
import type { RegistryConfigKeys } from './registry/registry-config.js';
import { TsdockError, type ErrorKind } from './errors.js';

/** tsdock's settings file, shaped like Docker's daemon.json where the two overlap. */
export interface TsdockConfig extends NetworkConfigKeys, RegistryConfigKeys {
  /** Layer downloads in flight at once (Docker's max-concurrent-downloads). */
  'max-concurrent-downloads': number;
  /** Layer uploads in flight at once (Docker's max-concurrent-uploads). */
  'max-concurrent-uploads': number;
  /** Blobs larger than this many bytes are pushed in chunks of this size; smaller ones in one request. */
  'upload-chunk-size': number;
  /** Command -> keys, read by the TUI. */
  keymap: Record<string, string[]>;
  /** The OCI runtime binary (runc); any runc-compatible runtime works. */
  runtime: string;
  conmon: string;
  /** The init binary bound in for --init (catatonit). */
  'init-path': string;
}

export const DEFAULT_CONFIG_PATH = '/etc/tsdock/config.json';
export const DEFAULT_ROOT = '/var/lib/tsdock';

export class ConfigError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export function defaultConfig(): TsdockConfig {
  return {
    'registry-mirrors': [],
    'insecure-registries': [],
    'max-concurrent-downloads': 3,
    'max-concurrent-uploads': 5,
    'upload-chunk-size': 16 << 20,
    keymap: {},
    runtime: '/usr/sbin/runc',
    conmon: '/usr/bin/conmon',
    'init-path': '/usr/bin/catatonit',
  };
}

/** A missing file means defaults; a malformed one is an error naming the file and the key. */
export async function loadConfig(path: string, mustExist = false): Promise<TsdockConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !mustExist) return defaultConfig();
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const cfg = defaultConfig();
  for (const key of ['registry-mirrors', 'insecure-registries'] as const) {
    if (raw[key] === undefined) continue;
    if (!Array.isArray(raw[key]) || !(raw[key] as unknown[]).every((v) => typeof v === 'string')) {
      throw new ConfigError(`config file ${path}: "${key}" must be a list of strings`);
    }
    cfg[key] = raw[key] as string[];
  }
  for (const m of cfg['registry-mirrors']) {
    if (!/^https?:\/\/[^/@?#]+\/?$/.test(m)) throw new ConfigError(`config file ${path}: registry mirror "${m}" must be a URL like http://host:port`);
  }
  for (const key of ['max-concurrent-downloads', 'max-concurrent-uploads', 'upload-chunk-size'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 1) throw new ConfigError(`config file ${path}: "${key}" must be a positive integer`);
    cfg[key] = v as number;
  }
  for (const key of ['runtime', 'conmon', 'init-path'] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string' || !(raw[key] as string).startsWith('/')) throw new ConfigError(`config file ${path}: "${key}" must be an absolute path`);
    cfg[key] = raw[key] as string;
  }
  if (raw.keymap !== undefined) {
    if (typeof raw.keymap !== 'object' || raw.keymap === null) throw new ConfigError(`config file ${path}: "keymap" must be an object`);
    cfg.keymap = raw.keymap as Record<string, string[]>;
  }
  Object.assign(cfg, parseNetworkConfig(raw, (m) => new ConfigError(`config file ${path}: ${m}`)));
  return cfg;
}
