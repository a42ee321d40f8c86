import { rm } from 'node:fs/promises';
import type { ContainerManager } from './container-manager.js';
import { transition } from './container-state-machine.js';
import { isExecutableInRoot } from '../fs/root-files.js';
import { TsdockError } from '../errors.js';

/** A process running in a container under a pseudo-terminal that tsdock owns (not the user's terminal). */
export interface PtySession {
  /** pid of the `runc exec` process on the host. */
  readonly pid: number;
  /** The command that runs in the container. */
  readonly command: string[];
  onData(listener: (data: string) => void): () => void;
  onExit(listener: (exit: { exitCode: number; signal?: number }) => void): () => void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}

export interface ExecPtyOptions {
  /** The command; default: /bin/bash when the container has it, else /bin/sh. */
  cmd?: string[];
  cols: number;
  rows: number;
  /** Extra environment (KEY=value) on top of the container's. TERM defaults to xterm-256color. */
  env?: string[];
  workdir?: string;
  user?: string;
}

/** The shell to run when none is given: bash when the container's rootfs has it, else sh. */
export async function defaultShell(containers: ContainerManager, id: string): Promise<string[]> {
  const merged = containers.paths.merged(id);
  if (await isExecutableInRoot(merged, '/bin/bash')) return ['/bin/bash'];
  return ['/bin/sh'];
}

/**
 * `runc exec --tty` into a running container with node-pty as its terminal: runc gives the
 * container a pty of its own and copies between it and ours, and forwards our window size
 * (SIGWINCH) to it, so `resize` reaches programs in the container. Used by the TUI's shell panes.
 */
export async function execPty(containers: ContainerManager, query: string, opts: ExecPtyOptions): Promise<PtySession> {
  const rec = await containers.find(query);
  if (rec.state.status === 'paused') throw new TsdockError('conflict', `container ${rec.name} is paused, unpause the container before exec`);
  transition(rec.state.status, 'exec', rec.name);
  const cmd = opts.cmd && opts.cmd.length > 0 ? opts.cmd : await defaultShell(containers, rec.id);
  const env = [...(opts.env ?? [])];
  if (!env.some((e) => e.startsWith('TERM='))) env.unshift('TERM=xterm-256color');
  const file = await containers.execProcessFile(rec, { cmd, env, workdir: opts.workdir, user: opts.user, tty: true });
  // node-pty is a native addon: load it only when a shell is opened.
  const pty = await import('node-pty');
  let proc;
  try {
    const runc = containers.runcFor(rec);
    proc = pty.spawn(runc.binary, ['--root', runc.stateRoot, 'exec', '--tty', '--process', file, rec.id], {
      name: 'xterm-256color',
      cols: Math.max(1, opts.cols),
      rows: Math.max(1, opts.rows),
      cwd: '/',
      env: process.env as Record<string, string>,
    });
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  let exited = false;
  proc.onExit(() => {
    exited = true;
    void rm(file, { force: true });
  });
  return {
    pid: proc.pid,
    command: cmd,
    onData: (listener) => {
      const d = proc.onData(listener);
      return () => d.dispose();
    },
    onExit: (listener) => {
      const d = proc.onExit(({ exitCode, signal }) => listener({ exitCode, signal }));
      return () => d.dispose();
    },
    write: (data) => {
      if (!exited) proc.write(data);
    },
    resize: (cols, rows) => {
      if (!exited) proc.resize(Math.max(1, cols), Math.max(1, rows));
    },
    kill: (signal = 'SIGHUP') => {
      if (!exited) proc.kill(signal);
    },
  };
}
