// The CNI calling convention (containernetworking/cni SPEC.md, spec 1.0.0), runtime side: a
// plugin is an executable found in the plugin dirs, run with CNI_* variables and one plugin's
// execution config on stdin; it answers a result (or an error object) on stdout. A network
// configuration list runs its plugins in order for ADD (each gets the previous result), in
// reverse for DEL, in order for CHECK (both with the cached ADD result as prevResult).
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { trace } from '../trace.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export const CNI_VERSION = '1.0.0';

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR, e.g. "10.99.0.2/16" */
  address: string;
  gateway?: string;
  /** Index into interfaces. */
  interface?: number;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

export interface CniPluginConfig {
  type: string;
  /** Capabilities the plugin takes from the runtime (e.g. portMappings); removed before execution. */
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConfigList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: CniPluginConfig[];
}

/** The per-attachment parameters (SPEC section 3). */
export interface CniAttachmentParams {
  containerId: string;
  /** Path of the network namespace, e.g. /run/netns/tsdock-0123456789ab. */
  netns: string;
  ifname: string;
  /** Capability arguments, e.g. { portMappings: [...] }. */
  capabilityArgs?: Record<string, unknown>;
  /** CNI_ARGS key/value pairs. */
  args?: Record<string, string>;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** A plugin's failure, with the error object it printed (code, msg, details) when it printed one. */
export class CniError extends TsdockError {
  constructor(
    readonly plugin: string,
    readonly command: CniCommand,
    readonly code: number | undefined,
    readonly msg: string,
    readonly details: string,
  ) {
    super(cniFailureKind(msg), `CNI plugin ${plugin} ${command} failed: ${msg}${details && details !== msg ? `: ${details}` : ''}`);
  }
}

/**
 * The kind of a plugin's failure, read from its words once, here: host-local refusing an address
 * that is taken (a `--ip` in use) is the caller's conflict; every other failure is internal.
 */
export function cniFailureKind(msg: string): ErrorKind {
  return /is not available in range set/.test(msg) ? 'conflict' : 'internal';
}

const PLUGIN_TIMEOUT_MS = 60_000;

/** Runs CNI plugins from a list of directories (CNI_PATH). */
export class CniRunner {
  constructor(readonly pluginDirs: string[]) {}

  async findPlugin(type: string): Promise<string> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(type)) throw new CniError(type, 'ADD', undefined, `invalid plugin type "${type}"`, '');
    for (const dir of this.pluginDirs) {
      const path = join(dir, type);
      if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
    }
    throw new CniError(type, 'ADD', undefined, `failed to find plugin "${type}" in path [${this.pluginDirs.join(' ')}]`, '');
  }

  /** Executes one plugin; resolves with its parsed stdout (undefined when it printed nothing). */
  async exec(command: CniCommand, config: Record<string, unknown> & { type: string }, att?: CniAttachmentParams): Promise<unknown> {
    const path = await this.findPlugin(config.type);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CNI_')) env[k] = v;
    env.CNI_COMMAND = command;
    env.CNI_PATH = this.pluginDirs.join(':');
    if (att) {
      env.CNI_CONTAINERID = att.containerId;
      env.CNI_NETNS = att.netns;
      env.CNI_IFNAME = att.ifname;
      if (att.args && Object.keys(att.args).length) env.CNI_ARGS = Object.entries(att.args).map(([k, v]) => `${k}=${v}`).join(';');
    }
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), PLUGIN_TIMEOUT_MS);
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(config));
    });
    let parsed: unknown;
    try {
      parsed = stdout.trim() ? JSON.parse(stdout) : undefined;
    } catch {
      // Not JSON: on failure the plugin's raw output is reported instead.
      parsed = undefined;
    }
    if (code !== 0) {
      const e = (parsed ?? {}) as { code?: number; msg?: string; details?: string };
      const msg = e.msg ?? (stderr.trim() || stdout.trim() || `exit status ${code ?? 'killed'}`);
      throw new CniError(config.type, command, e.code, msg, e.details ?? '');
    }
    return parsed;
  }

  /** The execution config of one plugin of a list (SPEC section 3, "Deriving execution configuration"). */
  static executionConfig(list: CniConfigList, plugin: CniPluginConfig, capabilityArgs: Record<string, unknown> | undefined, prevResult: CniResult | undefined): Record<string, unknown> & { type: string } {
    const { capabilities, ...rest } = plugin;
    const conf: Record<string, unknown> & { type: string } = { ...rest, cniVersion: list.cniVersion, name: list.name };
    const runtimeConfig: Record<string, unknown> = {};
    for (const [cap, on] of Object.entries(capabilities ?? {})) {
      if (on && capabilityArgs && capabilityArgs[cap] !== undefined) runtimeConfig[cap] = capabilityArgs[cap];
    }
    if (Object.keys(runtimeConfig).length) conf.runtimeConfig = runtimeConfig;
    if (prevResult) conf.prevResult = prevResult;
    return conf;
  }

  /** ADD: every plugin in order, each given the previous one's result; returns the final result. */
  async add(list: CniConfigList, att: CniAttachmentParams): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      const out = (await this.exec('ADD', CniRunner.executionConfig(list, plugin, att.capabilityArgs, prev), att).catch(async (err) => {
        // Code 1 is "incompatible CNI version": say which versions the plugin does speak.
        if (err instanceof CniError && err.code === 1 && !err.details) {
          // Only to enrich the error being reported: a plugin that cannot say its versions lists none.
          const supported = await this.versions(plugin.type).catch(() => [] as string[]);
          throw new CniError(err.plugin, err.command, err.code, err.msg, `the network config is CNI ${list.cniVersion}; ${plugin.type} supports ${supported.join(', ') || 'no version it could name'}`);
        }
        throw err;
      })) as CniResult | undefined;
      trace(`CNI ADD ${plugin.type}`);
      if (!out || typeof out !== 'object') throw new CniError(plugin.type, 'ADD', undefined, 'the plugin printed no result', '');
      prev = out;
    }
    return prev ?? { cniVersion: list.cniVersion };
  }

  /**
   * DEL: every plugin in reverse order, each given the cached ADD result. DEL must succeed for
   * what is already gone, so every plugin runs even when one fails; the first error is thrown.
   */
  async del(list: CniConfigList, att: CniAttachmentParams, prevResult: CniResult | undefined): Promise<void> {
    let first: Error | undefined;
    for (const plugin of [...list.plugins].reverse()) {
      try {
        await this.exec('DEL', CniRunner.executionConfig(list, plugin, att.capabilityArgs, prevResult), att);
      } catch (err) {
        first ??= err as Error;
      }
    }
    if (first) throw first;
  }

  /** CHECK: every plugin in order with the cached ADD result; the first failure is thrown. */
  async check(list: CniConfigList, att: CniAttachmentParams, prevResult: CniResult): Promise<void> {
    if (list.disableCheck) return;
    for (const plugin of list.plugins) await this.exec('CHECK', CniRunner.executionConfig(list, plugin, att.capabilityArgs, prevResult), att);
  }

  /** VERSION: the spec versions a plugin supports. */
  async versions(type: string): Promise<string[]> {
    const out = (await this.exec('VERSION', { type, cniVersion: CNI_VERSION })) as { supportedVersions?: string[] } | undefined;
    return out?.supportedVersions ?? [];
  }
}
