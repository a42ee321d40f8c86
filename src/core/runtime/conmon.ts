import { spawn } from 'node:child_process';
import { RuntimeError, cleanRuncMessage, runcFailure, silentRuntimeFailure } from './runc.js';

export interface ConmonOptions {
  conmonBinary: string;
  runcBinary: string;
  runcRoot: string;
  id: string;
  name: string;
  bundle: string;
  containerPidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  tty: boolean;
  stdin: boolean;
  /** Keep the container's stdin open when an attached client closes its input (detached containers); otherwise that closes it. */
  leaveStdinOpen: boolean;
  /** Run when the container exits, even if tsdock is gone (records the exit, --rm). */
  exitCommand?: string[];
}

/**
 * Starts a conmon monitor that creates the container with `runc create` and then outlives
 * tsdock: it holds the container's stdio, writes the k8s-file log, and writes the exit code
 * to exitDir. Resolves with the container's pid once runc has created it (conmon reports it
 * on the sync pipe, as it does for Podman); the caller then runs `runc start`.
 */
export function createWithConmon(o: ConmonOptions): Promise<number> {
  const args = [
    '--api-version', '1',
    '-c', o.id, '-u', o.id, '-n', o.name,
    '-r', o.runcBinary, '--runtime-arg', '--root', '--runtime-arg', o.runcRoot,
    '-b', o.bundle, '-p', o.containerPidFile, '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`, '--exit-dir', o.exitDir, '-0', o.persistDir,
    '--socket-dir-path', o.socketDir, '--log-level', 'error',
    // No fsync of the log between the container's exit and its exit file: a run waits on that.
    '--no-sync-log',
    ...(o.tty ? ['-t'] : []),
    // Detached: keep stdin open across attach sessions, detaching must not send the container EOF.
    ...(o.stdin ? ['-i', ...(o.leaveStdinOpen ? ['--leave-stdin-open'] : [])] : []),
  ];
  if (o.exitCommand) {
    args.push('--exit-command', o.exitCommand[0]!);
    for (const a of o.exitCommand.slice(1)) args.push('--exit-command-arg', a);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(o.conmonBinary, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
      // conmon writes some files (an `oom` marker) relative to its working directory.
      cwd: o.bundle,
      detached: true,
    });
    const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    let syncText = '';
    let stderr = '';
    let settled = false;
    const finish = (err: Error | undefined, pid?: number) => {
      if (settled) return;
      settled = true;
      // conmon's daemonized half keeps these pipes open: let go of them.
      sync.destroy();
      child.stderr?.destroy();
      child.unref();
      if (err) reject(err);
      else resolve(pid!);
    };
    child.stderr?.on('data', (d) => (stderr += d));
    sync.on('data', (d: Buffer) => {
      syncText += d.toString();
      const line = syncText.split('\n').find((l) => l.trim().startsWith('{'));
      if (!line) return;
      try {
        const msg = JSON.parse(line) as { data: number; message?: string };
        if (msg.data > 0) finish(undefined, msg.data);
        else finish(runcFailure(cleanRuncMessage(msg.message ?? '') || `runc create failed for ${o.name}`));
      } catch {
        finish(new RuntimeError(`conmon sent an unreadable message: ${line}`));
      }
    });
    child.on('error', (err) => finish(new RuntimeError(`cannot start conmon (${o.conmonBinary}): ${err.message}; run scripts/setup.sh`, 'unavailable')));
    sync.on('close', () => {
      if (settled) return;
      // conmon's stderr passes on the runtime's words: classified as runc's own.
      if (stderr.trim()) return finish(runcFailure(`conmon exited before the container was created: ${stderr.trim()}`));
      // conmon passes on nothing when the runtime failed silently: find out whether it works at all.
      void runtimeVersionStatus(o.runcBinary).then((status) =>
        finish(new RuntimeError(status === 0 ? `conmon exited before the container was created, without an error message (runtime ${o.runcBinary})` : silentRuntimeFailure(o.runcBinary, `${status} (for --version too)`))),
      );
    });
  });
}

/** The exit status of `RUNTIME --version` (a signal or a spawn error counts as failure). */
function runtimeVersionStatus(runtime: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(runtime, ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 128));
  });
}
