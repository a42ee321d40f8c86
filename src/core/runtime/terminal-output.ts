import { spawnSync } from 'node:child_process';

/**
 * The container's pty already turned "\n" into "\r\n"; the user's terminal must not do it again
 * ("\r\r\n"), so its output processing (OPOST) is off while a `-t` container's output passes
 * through, as Docker's raw terminal. Node's setRawMode keeps OPOST (libuv sets ONLCR) and has no
 * other termios call: stty does it, on the terminal given as its stdin. Call it before
 * setRawMode(true); the returned function restores the terminal as it was when called (call it
 * after setRawMode(false)).
 */
export function passOutputUnchanged(out: NodeJS.WriteStream): (() => void) | undefined {
  const fd = (out as NodeJS.WriteStream & { fd?: number }).fd;
  if (typeof fd !== 'number') return undefined;
  const stty = (args: string[]) => spawnSync('stty', args, { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  const saved = stty(['-g']);
  if (saved.status !== 0) return undefined;
  stty(['-opost']);
  return () => void stty([saved.stdout.trim()]);
}
