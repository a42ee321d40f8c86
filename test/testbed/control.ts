// Process-level control of the test bed: fixture builds, registry servers, pushes.
// No vitest imports here, so vitest's globalSetup (main process) and test files (workers) can
// both use it. Everything is done through the shell scripts next to this file, which use only
// umoci, skopeo, curl and Debian's docker-registry: never tsdock code.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RegistryMode = 'open' | 'basic' | 'token';
export type FixtureName = 'busybox' | 'layered' | 'multiarch' | 'big';
export type PushFormat = 'oci' | 'v2s2';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Everything a test needs to reach one registry. JSON-serialisable (crosses vitest's provide). */
export interface RegistryInfo {
  mode: RegistryMode;
  /** `127.0.0.1:PORT` */
  addr: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  pid: number;
  /** Registry storage root; blobs live under docker/registry/v2/blobs/sha256/ (see blobPath). */
  storage: string;
  /** Directory holding config, logs, keys and PID files of this registry. */
  stateDir: string;
  config: string;
  log: string;
  /** null for `open`; tester/testpass for `basic`; tokenuser/tokenpass for `token`. */
  credentials: { username: string; password: string } | null;
  /** `http://127.0.0.1:PORT/token` for `token`, else null. */
  tokenServer: string | null;
  tokenPid: number | null;
  /** Token `service` (aud) and `issuer` (iss) for `token`, else null. */
  service: string | null;
  issuer: string | null;
}

/** A running registry owned by the calling process. */
export interface RegistryHandle extends RegistryInfo {
  /** Stops the servers, waits for them to exit and (by default) deletes stateDir. Idempotent. */
  stop(): Promise<void>;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

/** What push-fixture.sh reports: the manifest as the registry now serves it. */
export interface PushedImage {
  /** `127.0.0.1:PORT` */
  registry: string;
  repo: string;
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
  format: PushFormat;
  fixture: FixtureName;
  /** Only for an index / manifest list: the platform manifests as pushed. */
  manifests?: Array<{ mediaType: string; digest: string; size: number; platform: Platform }>;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const SCRIPTS = {
  buildFixtures: join(HERE, 'build-fixtures.sh'),
  registry: join(HERE, 'registry.sh'),
  pushFixture: join(HERE, 'push-fixture.sh'),
  tokenServer: join(HERE, 'token-server.mjs'),
} as const;

export const DEFAULT_CACHE_DIR = '/var/tmp/tsdock-testbed';

export function fixtureCacheDir(): string {
  return process.env.TSDOCK_TESTBED_CACHE || DEFAULT_CACHE_DIR;
}

/** execFile that rejects with the command's stderr in the message. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 600_000, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`.trimEnd()));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/**
 * Builds (or reuses) the fixture layouts in cacheDir: busybox, layered, multiarch, plus `big`
 * when asked. Returns true when something was built, false when the cache was already current.
 */
export async function buildFixtures(cacheDir: string, extra: Array<'big'> = []): Promise<boolean> {
  const { stderr } = await run('bash', [SCRIPTS.buildFixtures, cacheDir, ...extra], { timeoutMs: 900_000 });
  return !/up to date/.test(stderr);
}

interface ScriptInfo {
  mode: RegistryMode;
  addr: string;
  pid: number;
  storage: string;
  config: string;
  log: string;
  username: string | null;
  password: string | null;
  tokenServer: string | null;
  tokenPid: number | null;
  service: string | null;
  issuer: string | null;
}

/**
 * Starts a private registry (plus its token server in `token` mode) via `registry.sh --attach`.
 * The script stays our child and the servers stay its children: closing its stdin stops them,
 * and if this process dies the pipe closes and they are stopped too, so nothing leaks.
 * stateDir defaults to a fresh temp dir, removed again by stop().
 */
export async function startRegistry(
  mode: RegistryMode,
  opts: { stateDir?: string; keepStateDir?: boolean } = {},
): Promise<RegistryHandle> {
  const ownsDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), `tsdock-registry-${mode}-`)));
  const child = spawn('bash', [SCRIPTS.registry, 'start', stateDir, mode, '--attach'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  let info: ScriptInfo;
  try {
    info = await firstJsonLine(child, () => stderr);
  } catch (err) {
    child.stdin.end();
    await exited;
    if (ownsDir) await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  // Do not keep a worker's event loop alive just for the registry: stop() re-refs.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      child.ref();
      child.stdin.end(); // EOF: registry.sh stops the servers, reaps them and exits
      const timer = setTimeout(() => {
        // Fallback, should never be needed: stop by recorded PIDs, then end the script itself.
        void run('bash', [SCRIPTS.registry, 'stop', stateDir]).finally(() => child.kill('SIGTERM'));
      }, 15_000);
      await exited;
      clearTimeout(timer);
      if (ownsDir && !opts.keepStateDir) await rm(stateDir, { recursive: true, force: true });
    })());

  return {
    mode: info.mode,
    addr: info.addr,
    url: `http://${info.addr}`,
    pid: info.pid,
    storage: info.storage,
    stateDir,
    config: info.config,
    log: info.log,
    credentials:
      info.username !== null && info.password !== null ? { username: info.username, password: info.password } : null,
    tokenServer: info.tokenServer,
    tokenPid: info.tokenPid,
    service: info.service,
    issuer: info.issuer,
    stop,
  };
}

function firstJsonLine(child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<ScriptInfo> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      cleanup();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ScriptInfo);
      } catch (err) {
        reject(new Error(`registry.sh printed bad JSON: ${buf.slice(0, nl)} (${String(err)})`));
      }
    };
    const onClose = (code: number | null) => {
      cleanup();
      reject(new Error(`registry.sh exited (${code}) before it was ready:\n${stderr()}`));
    };
    const cleanup = () => {
      child.stdout.off('data', onData);
      child.off('close', onClose);
      child.stdout.resume(); // keep draining: the script prints nothing more, but never block it
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('close', onClose);
  });
}

/** Removes a registry's JSON-unfriendly parts (the stop function) for vitest's provide(). */
export function registryInfo(h: RegistryHandle): RegistryInfo {
  const { stop: _stop, ...info } = h;
  return info;
}

/**
 * Pushes fixture cacheDir/<fixture>:<tag> to the registry as repoTag (`repo:tag`) with skopeo;
 * an index is pushed platform by platform and then PUT by hand (OCI index for `oci`, Docker
 * manifest list for `v2s2`).
 */
export async function pushFixtureTo(
  cacheDir: string,
  registry: RegistryInfo,
  fixture: FixtureName,
  tag: string,
  repoTag: string,
  format: PushFormat = 'oci',
): Promise<PushedImage> {
  const args = [SCRIPTS.pushFixture, cacheDir, fixture, tag, registry.addr, repoTag, format];
  if (registry.credentials) args.push(`${registry.credentials.username}:${registry.credentials.password}`);
  const { stdout } = await run('bash', args);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as PushedImage;
}

/** Path of a blob's data file in a registry's filesystem storage (to corrupt/truncate it). */
export function blobPath(storageDir: string, digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  const hex = m[1];
  return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}
