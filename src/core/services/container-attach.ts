import type { ContainerManager } from '../runtime/container-manager.js';
import type { PtySession } from '../runtime/exec-pty.js';
import { attachToConmon, openAttachSession, parseDetachKeys } from '../runtime/conmon-attach.js';
import { passOutputUnchanged } from '../runtime/terminal-output.js';

/** `docker attach`: the caller's streams, joined to the container's stdio held by conmon. */
export interface AttachOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Do not pass stdin (`--no-stdin`); it is passed only to a container started with -i anyway. */
  noStdin?: boolean;
  /** Docker's `--detach-keys` syntax; default ctrl-p,ctrl-q. */
  detachKeys?: string;
}

/** How an attach ended: the user detached (the container runs on), or the container exited with `exitCode`. */
export type AttachResult = { detached: true } | { detached: false; exitCode: number };

/**
 * Drives conmon's attach socket for a container started with -d (or `start`): input in raw mode
 * when the container has a tty and stdin is a terminal, output passed unchanged (the container's
 * pty already ends lines in \r\n), window size sent through conmon's control fifo. Resolves when
 * the user detaches or the container exits; the terminal is restored either way.
 */
export async function attachToContainer(manager: ContainerManager, query: string, o: AttachOptions): Promise<AttachResult> {
  const { rec, socketPath, controlPath } = await manager.attachTarget(query);
  const detachKeys = parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q');
  const useStdin = o.noStdin !== true && rec.request.interactive;
  const rawMode = useStdin && rec.request.tty && o.stdin.isTTY;
  const restoreOutput = rec.request.tty && o.stdout.isTTY ? passOutputUnchanged(o.stdout) : undefined;
  if (rawMode) o.stdin.setRawMode(true);
  try {
    const end = await attachToConmon({
      socketPath,
      controlPath,
      stdin: useStdin ? o.stdin : undefined,
      stdout: o.stdout,
      stderr: o.stderr,
      detachKeys,
      terminal: rec.request.tty && o.stdout.isTTY ? o.stdout : undefined,
    });
    if (end === 'detached') return { detached: true };
  } finally {
    if (rawMode) o.stdin.setRawMode(false);
    restoreOutput?.();
    o.stdin.pause();
  }
  return { detached: false, exitCode: await manager.wait(rec.id) };
}

/** An attach to a container started with -it, as a session a terminal pane shows (the TUI's); kill() detaches. */
export async function openAttachPane(manager: ContainerManager, query: string, size: { cols: number; rows: number }): Promise<PtySession> {
  const { socketPath, controlPath } = await manager.attachTarget(query, { needTty: true });
  return openAttachSession({ socketPath, controlPath, cols: size.cols, rows: size.rows, command: ['attach'] });
}
