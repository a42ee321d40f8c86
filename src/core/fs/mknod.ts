import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/**
 * Node has no mknod(2): mknod(1) makes the node at `abs` with permission bits 0 (the caller sets
 * mode and owner after). `what` names the node in the error, e.g. `layer entry "dev/null"`.
 */
export async function mknod(what: string, abs: string, type: 'c' | 'b' | 'p', major: number, minor: number): Promise<void> {
  const args = ['-m', '0', '--', abs, type, ...(type === 'p' ? [] : [`${major}`, `${minor}`])];
  try {
    await execFileP('mknod', args);
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new Error(`${what}: mknod failed: ${detail}`);
  }
}
