import { errorKind, startFailureExitCode, type ExecStartError } from '../core/index.js';

/** Docker's exit codes, in one place for every command. */

/** A command that failed (`rm`, `stop`, `inspect` of a missing container, ...). */
export const EXIT_FAILED = 1;

/** tsdock itself could not do what was asked: bad usage, or a container that could not be created or run. */
export const EXIT_TSDOCK_ERROR = 125;

/**
 * The exit code of `run`/`create`/`start -a` when the container did not run: 127 when its
 * command was not found, 126 when it could not be executed (the status its record keeps, from
 * the error's kind), 125 for every other failure.
 */
export function runFailureExitCode(err: unknown): number {
  return startFailureExitCode(err);
}

/** `exec` that could not start its command: 127 not found, 126 not executable, else runc's own code. */
export function execStartExitCode(err: ExecStartError): number {
  const kind = errorKind(err);
  return kind === 'not-found' ? 127 : kind === 'forbidden' ? 126 : err.runtimeExitCode;
}
