/**
 * The kinds of failure every core error carries (containerd's errdefs, moby's errdefs): front
 * ends decide by kind, never by message text. The CLI maps a kind to an exit code, the API to an
 * HTTP status.
 */
export type ErrorKind =
  /** No such container, image, volume, network, file, tag, blob. */
  | 'not-found'
  /** A malformed name, flag value, reference, filter, Dockerfile or archive given by the caller. */
  | 'invalid-argument'
  /** The request contradicts the current state: name in use, container running, image in use. */
  | 'conflict'
  /** Credentials missing or rejected. */
  | 'unauthorized'
  /** Understood but not allowed: permission denied, a file that is not executable. */
  | 'forbidden'
  /** A remote or a helper is not reachable or answered with a server error; trying later may work. */
  | 'unavailable'
  /** Asked for something tsdock does not do. */
  | 'not-implemented'
  /** The caller (^C, a closed output, a killed request) gave up. */
  | 'cancelled'
  /** Everything else: a bug or a failure of the host. */
  | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = ['not-found', 'invalid-argument', 'conflict', 'unauthorized', 'forbidden', 'unavailable', 'not-implemented', 'cancelled', 'internal'];

/** Base of the core's errors: a message for people and a kind for code. */
export class TsdockError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The kind of any thrown value: its own `kind` when it carries one, else `internal`. */
export function errorKind(err: unknown): ErrorKind {
  const kind = (err as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && (ERROR_KINDS as readonly string[]).includes(kind) ? (kind as ErrorKind) : 'internal';
}

export function isErrorKind(err: unknown, kind: ErrorKind): boolean {
  return errorKind(err) === kind;
}
