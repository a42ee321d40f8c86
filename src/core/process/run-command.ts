import { execFile } from 'node:child_process';
import { TsdockError } from '../errors.js';

export class CommandFailedError extends TsdockError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('internal', `${command} failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${stderr.trim() || 'no error output'}`);
  }
}

/** Runs a helper program (runc, mount, ...) to completion and returns its stdout. */
export function runCommand(file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 << 20, env: opts.env }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : null;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new CommandFailedError(file, null, `${file} is not installed; run scripts/setup.sh`));
        else reject(new CommandFailedError(`${file} ${args[0] ?? ''}`.trim(), code, String(stderr)));
      } else resolve(String(stdout));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
