import { errorKind } from '../errors.js';
import { RuntimeError } from './runc.js';

/**
 * Docker's exit status for a container whose process the runtime could not start: 127 when the
 * command (or a path it needs) does not exist, 126 when it cannot be run, 125 for anything else.
 * Only the runtime's own failures count: a missing user, image or network found while setting
 * the container up is tsdock's refusal (125), not the command's.
 */
export function startFailureExitCode(err: unknown): number {
  if (!(err instanceof RuntimeError)) return 125;
  switch (errorKind(err)) {
    case 'not-found':
      return 127;
    case 'forbidden':
      return 126;
    default:
      return 125;
  }
}
