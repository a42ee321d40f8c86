import { spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ForegroundPtyIo {
  /** The user's terminal: put in raw mode while the container runs, its keys go to the container. */
  stdin?: Readable;
  stdout: Writable;
  /** Every byte the container's terminal writes, for the container log. */
  onOutput(data: Buffer): void;
  /** Aborted when `stdout` has lost its reader: the terminal is hung up (SIGHUP), as when a terminal closes. */
  outputClosed?: AbortSignal;
}

/**
 * Runs a command (`runc run` of a `-t` container) under a pseudo-terminal of ours bridged to
 * the user's terminal, rather than handing runc the terminal itself: the output passes through
 * tsdock, so it goes to the container log as well (`logs` of a `run -it` container shows the
 * session, as Docker's does). Window size changes of the user's terminal are passed on.
 * Resolves with the exit code (128 + signal for a killed process).
 */
export async function runUnderPty(file: string, args: string[], io: ForegroundPtyIo): Promise<number> {
  // A native addon: loaded only for interactive containers.
  const pty = await import('node-pty');
  const out = io.stdout as NodeJS.WriteStream;
  const input = io.stdin as (Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void }) | undefined;
  const proc = pty.spawn(file, args, {
    name: process.env.TERM ?? 'xterm',
    cols: out.columns || 80,
    rows: out.rows || 24,
    cwd: '/',
    env: process.env as Record<string, string>,
    encoding: null,
  });
  const rawBefore = input?.isTTY === true && (input as NodeJS.ReadStream).isRaw;
  if (input?.isTTY) input.setRawMode?.(true);
  // After setRawMode, which saves and later restores the terminal state it found.
  const restoreOutput = out.isTTY ? passOutputUnchanged(out) : undefined;
  const onInput = (d: Buffer | string) => proc.write(d);
  input?.on('data', onInput);
  input?.resume();
  const onResize = () => proc.resize(out.columns || 80, out.rows || 24);
  out.on?.('resize', onResize);
  // With `encoding: null` node-pty hands over raw bytes (typed as string).
  const data = proc.onData((d: string | Buffer) => {
    const chunk = typeof d === 'string' ? Buffer.from(d) : d;
    if (!io.outputClosed?.aborted) out.write(chunk);
    io.onOutput(chunk);
  });
  // runc forwards the SIGHUP to the container's process.
  const hangUp = () => proc.kill('SIGHUP');
  if (io.outputClosed?.aborted) hangUp();
  io.outputClosed?.addEventListener('abort', hangUp, { once: true });
  try {
    return await new Promise<number>((resolve) =>
      proc.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode)),
    );
  } finally {
    data.dispose();
    io.outputClosed?.removeEventListener('abort', hangUp);
    out.off?.('resize', onResize);
    input?.off('data', onInput);
    if (input?.isTTY) input.setRawMode?.(rawBefore);
    restoreOutput?.();
    input?.pause();
  }
}

/**
 * The container's pty already turned "\n" into "\r\n"; the user's terminal must not do it again
 * ("\r\r\n"), so its output processing (OPOST) is off while the container runs, as Docker's raw
 * terminal. Node's setRawMode leaves OPOST on and has no other termios call: stty does it, on the
 * terminal given as its stdin. Returns the function that restores the terminal as it was.
 */
function passOutputUnchanged(out: NodeJS.WriteStream): (() => void) | undefined {
  const fd = (out as NodeJS.WriteStream & { fd?: number }).fd;
  if (typeof fd !== 'number') return undefined;
  const stty = (args: string[]) => spawnSync('stty', args, { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  const saved = stty(['-g']);
  if (saved.status !== 0) return undefined;
  stty(['-opost']);
  return () => void stty([saved.stdout.trim()]);
}
