import { rm } from 'node:fs/promises';
import type { ContainerManager } from '../runtime/container-manager.js';
import { transition } from '../runtime/container-state-machine.js';
import { cleanRuncMessage } from '../runtime/runc.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface ExecOptions {
  cmd: string[];
  /** KEY=value entries, already resolved by the caller. */
  env?: string[];
  workdir?: string;
  user?: string;
  /** With a tty the process takes this process's own terminal (runc copies it), as `docker exec -t`. */
  tty?: boolean;
  /** Start the process and return at once (exit code 0), as `docker exec -d`. */
  detach?: boolean;
  /** Keep stdin open: `stdin` is piped to the process. */
  interactive?: boolean;
}

/** Where a non-tty exec's output goes, and its input comes from. */
export interface ExecStreams {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** An exec the runtime refused to start: `kind` is not-found (no such executable), forbidden (not executable) or internal. */
export class ExecStartError extends TsdockError {
  constructor(
    kind: ErrorKind,
    message: string,
    /** What the runtime itself exited with. */
    readonly runtimeExitCode: number,
  ) {
    super(kind, message);
  }
}

/** runc's own failure line; a program in the container may log in logrus' format too. */
const RUNC_EXEC_FAILURE = /^time="[^"]*" level=error msg="(runc )?exec failed: /m;

/** Docker's classification of an exec that could not start: a missing command, or one that cannot be run. */
export function execFailureKind(message: string): ErrorKind {
  if (/executable file not found|no such file/.test(message)) return 'not-found';
  if (/permission denied/.test(message)) return 'forbidden';
  return 'internal';
}

/**
 * Runs a command in a running container (`docker exec`) and resolves with its exit code. A
 * command the runtime could not start rejects with an ExecStartError whose kind says why.
 */
export async function execInContainer(manager: ContainerManager, query: string, opts: ExecOptions, io: ExecStreams): Promise<number> {
  const rec = await manager.find(query);
  if (rec.state.status === 'paused') throw new TsdockError('conflict', `container ${rec.name} is paused, unpause the container before exec`);
  transition(rec.state.status, 'exec', rec.name);
  const tty = opts.tty === true;
  const detach = opts.detach === true;
  const file = await manager.execProcessFile(rec, { cmd: opts.cmd, env: opts.env ?? [], workdir: opts.workdir, user: opts.user, tty });
  try {
    // With -t runc takes the caller's terminal; otherwise output is relayed as it comes.
    const stdio = tty ? 'inherit' : detach ? 'ignore' : [opts.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    const child = manager.runcFor(rec).spawnExec(rec.id, file, { tty, detach }, stdio as 'inherit');
    let failure = '';
    if (!tty && !detach) {
      child.stdout!.on('data', (d: Buffer) => io.stdout.write(d));
      child.stderr!.on('data', (d: Buffer) => {
        const s = d.toString();
        if (RUNC_EXEC_FAILURE.test(s)) failure += s;
        else io.stderr.write(d);
      });
      // The process may end before reading all of stdin: a broken pipe there is not an error.
      if (child.stdin && io.stdin) io.stdin.pipe(child.stdin).on('error', () => {});
    }
    const code: number = await new Promise((resolve) => child.once('close', (c) => resolve(c ?? 1)));
    if (child.stdin && io.stdin) io.stdin.unpipe(child.stdin);
    if (failure) {
      const message = cleanRuncMessage(failure).replace(/^exec failed: /, '');
      throw new ExecStartError(execFailureKind(message), message, code);
    }
    return code;
  } finally {
    await rm(file, { force: true });
  }
}
