// Runs the built tsdock CLI (dist/tsdock.js, as users run it) against a private store, config
// and credentials file, so tests never touch /var/lib/tsdock or ~/.docker.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TSDOCK_BIN = fileURLToPath(new URL('../../bin/tsdock', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  dir: string;
  root: string;
  configPath: string;
  dockerConfigDir: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], opts?: { input?: string | Buffer }): Promise<RunResult>;
  setConfig(cfg: Record<string, unknown>): Promise<void>;
  remove(): Promise<void>;
}

/** A fresh store root, config file and DOCKER_CONFIG dir under one temp dir; `extraEnv` is added to the CLI's environment. */
export async function makeSandbox(extraEnv: NodeJS.ProcessEnv = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdock-test-'));
  const root = join(dir, 'root');
  const configPath = join(dir, 'config.json');
  const dockerConfigDir = join(dir, 'docker');
  await writeFile(configPath, '{}\n');
  const env = { ...process.env, TSDOCK_ROOT: root, TSDOCK_CONFIG: configPath, DOCKER_CONFIG: dockerConfigDir, ...extraEnv };
  return {
    dir,
    root,
    configPath,
    dockerConfigDir,
    env,
    run: (args, opts) => runTsdock(args, env, opts?.input),
    setConfig: (cfg) => writeFile(configPath, JSON.stringify(cfg)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export function runTsdock(args: string[], env: NodeJS.ProcessEnv, input?: string | Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSDOCK_BIN, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
