import { TsdockError, type ErrorKind } from '../errors.js';

/** What went wrong talking to a registry, phrased for the user with the next step to take. */
export class RegistryError extends TsdockError {
  /** The HTTP status the registry answered with, when the error is one. */
  readonly status?: number;
  /** The distribution-spec error code of the answer (MANIFEST_UNKNOWN, DENIED, ...), when it had one. */
  readonly code?: string;

  constructor(kind: ErrorKind, message: string, details: { status?: number; code?: string; cause?: unknown } = {}) {
    super(kind, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
  }
}

/**
 * Credentials missing or refused (kind unauthorized), or not enough for what was asked: a 403
 * from the registry itself is kind forbidden unless the caller says otherwise.
 */
export class UnauthorizedError extends RegistryError {
  constructor(message: string, status = 401, kind: ErrorKind = status === 403 ? 'forbidden' : 'unauthorized') {
    super(kind, message, { status });
  }
}

export class NotFoundError extends RegistryError {
  constructor(message: string, code?: string) {
    super('not-found', message, { status: 404, code });
  }
}

/** Distribution error codes that name something missing, whatever status they came with. */
const NOT_FOUND_CODES = new Set(['BLOB_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN']);

/** The kind of an HTTP error answer from a registry or token server. */
export function kindOfStatus(status: number, code?: string): ErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || (code !== undefined && NOT_FOUND_CODES.has(code))) return 'not-found';
  if (status === 405) return 'not-implemented';
  if (status === 409) return 'conflict';
  if (status >= 500 || status === 408 || status === 429) return 'unavailable';
  if (status >= 400) return 'invalid-argument';
  // A 1xx/2xx/3xx where an error was due: the registry broke the protocol.
  return 'unavailable';
}

/** An error for an HTTP error answer, its kind following from the status. */
export function statusError(message: string, status: number, code?: string): RegistryError {
  return new RegistryError(kindOfStatus(status, code), message, { status, code });
}

/**
 * The registry refused a request even with the credentials tsdock could offer (or without any,
 * when there were none). `repository` is undefined for registry-wide requests (the catalog).
 */
export function accessDenied(domain: string, repository: string | undefined, action: 'pull' | 'push', detail?: string, status = 401): UnauthorizedError {
  const what = repository ? `${domain}/${repository}` : domain;
  return new UnauthorizedError(
    `unauthorized: access to ${what} was denied${detail ? ` (${detail})` : ''}; run \`tsdock login ${domain}\` with an account that may ${action === 'push' ? 'push to' : 'read'} it`,
    status,
  );
}

export interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

/** First error code and message of a distribution-spec error body, if the body is one. */
export function describeErrorBody(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    const first = body.errors?.[0];
    if (first) return { code: first.code, message: first.message };
  } catch {
    /* not JSON: plain-text error page */
  }
  return {};
}
