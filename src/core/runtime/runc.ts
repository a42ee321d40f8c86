import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { release } from 'node:os';
import { runCommand, CommandFailedError } from '../process/run-command.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created: string;
}

/** A failure of the OCI runtime or of its monitor (conmon); its kind says what went wrong. */
export class RuntimeError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'internal') {
    super(kind, message);
  }
}

/**
 * The kind of a failure runc reported in words. runc's text is read here, once; code above
 * decides by kind: a missing executable or path is not-found (Docker's exit 127), one that
 * cannot be run is forbidden (126), a container runc does not know is not-found, and one whose
 * process has already ended is a conflict (it is not running).
 */
export function runcFailureKind(message: string): ErrorKind {
  if (/executable file not found|no such file or directory/i.test(message)) return 'not-found';
  if (/permission denied|not executable/i.test(message)) return 'forbidden';
  if (/does not exist/i.test(message)) return 'not-found';
  if (/not running|process already finished/i.test(message)) return 'conflict';
  return 'internal';
}

/** A RuntimeError for what runc (or conmon passing on runc's words) printed. */
export function runcFailure(message: string): RuntimeError {
  return new RuntimeError(message, runcFailureKind(message));
}

/**
 * A thin, stateless driver for the OCI runtime (runc): each method is one runc invocation.
 * The binary and its state root are configurable, as Podman's oci runtime layer.
 */
export class Runc {
  constructor(
    readonly binary: string,
    readonly stateRoot: string,
  ) {}

  private args(rest: string[]): string[] {
    return ['--root', this.stateRoot, ...rest];
  }

  private async call(rest: string[]): Promise<string> {
    try {
      return await runCommand(this.binary, this.args(rest));
    } catch (err) {
      if (err instanceof CommandFailedError) throw runcFailure(cleanRuncMessage(err.stderr) || err.message);
      throw err;
    }
  }

  /** undefined when runc does not know the container. */
  async state(id: string): Promise<RuncState | undefined> {
    try {
      return JSON.parse(await runCommand(this.binary, this.args(['state', id]))) as RuncState;
    } catch (err) {
      if (err instanceof CommandFailedError && /does not exist|not exist/.test(err.stderr)) return undefined;
      throw err;
    }
  }

  start(id: string): Promise<string> {
    return this.call(['start', id]);
  }

  kill(id: string, signal: string, all = false): Promise<string> {
    return this.call(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await runCommand(this.binary, this.args(['delete', ...(force ? ['--force'] : []), id]));
    } catch (err) {
      if (err instanceof CommandFailedError && /does not exist|not exist/.test(err.stderr)) return;
      throw runcFailure(cleanRuncMessage((err as CommandFailedError).stderr ?? '') || (err as Error).message);
    }
  }

  pause(id: string): Promise<string> {
    return this.call(['pause', id]);
  }

  resume(id: string): Promise<string> {
    return this.call(['resume', id]);
  }

  /**
   * Whether read-only binds can be made read-only recursively (the `rro` mount option): runc >= 1.1
   * on a kernel with mount_setattr (>= 5.12). Asked once per process, and only when a bind is read-only.
   */
  supportsRecursiveReadOnly(): Promise<boolean> {
    this.recursiveReadOnly ??= runCommand(this.binary, ['--version']).then(
      (out) => kernelAtLeast(release(), 5, 12) && versionAtLeast(/^runc version (\d+)\.(\d+)/m.exec(out), 1, 1),
      () => false,
    );
    return this.recursiveReadOnly;
  }

  private recursiveReadOnly?: Promise<boolean>;

  /** `runc ps` output (ps -ef of the container's processes). */
  ps(id: string, psArgs: string[]): Promise<string> {
    return this.call(['ps', id, ...psArgs]);
  }

  /** Foreground `runc exec` with a process.json. */
  spawnExec(id: string, processJsonPath: string, opts: { tty: boolean; detach: boolean }, stdio: StdioOptions): ChildProcess {
    const flags = [...(opts.tty ? ['--tty'] : []), ...(opts.detach ? ['--detach'] : [])];
    return spawn(this.binary, this.args(['exec', ...flags, '--process', processJsonPath, id]), { stdio });
  }
}

/** A runtime that failed before starting the container without saying why (a broken or wrong "runtime" setting). */
export function silentRuntimeFailure(runtime: string, status: number | string): string {
  return `the OCI runtime ${runtime} failed with exit status ${status} before the container started, without an error message: check that the "runtime" setting of tsdock's config file names a working runc`;
}

/** runc prints logrus lines (`time="..." level=error msg="..."`); keep the message. */
export function cleanRuncMessage(stderr: string): string {
  const msgs = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  const text = msgs.length ? msgs.join('; ') : stderr.trim();
  return text.replace(/^runc (run|create|exec) failed: /, '');
}

function versionAtLeast(m: RegExpExecArray | null, major: number, minor: number): boolean {
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** `os.release()` such as "6.1.0-18-amd64". */
export function kernelAtLeast(release: string, major: number, minor: number): boolean {
  return versionAtLeast(/^(\d+)\.(\d+)/.exec(release), major, minor);
}
