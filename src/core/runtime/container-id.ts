import { randomBytes } from 'node:crypto';
import { TsdockError } from '../errors.js';

/** Length of the ID shown in tables and used as the default hostname. */
export const SHORT_ID_LENGTH = 12;

export class NoSuchContainerError extends TsdockError {
  override readonly name = 'NoSuchContainerError';
  constructor(readonly query: string) {
    super('not-found', `No such container: ${query}`);
  }
}

export class AmbiguousContainerError extends TsdockError {
  override readonly name = 'AmbiguousContainerError';
  constructor(
    readonly query: string,
    /** Short IDs of every container the prefix matches, sorted. */
    readonly candidates: string[],
  ) {
    super(
      'invalid-argument',
      `multiple IDs found with provided prefix: ${query} (matches ${candidates.join(', ')}): ` +
        'give more characters of the ID, or use the name',
    );
  }
}

export class InvalidContainerQueryError extends TsdockError {
  override readonly name = 'InvalidContainerQueryError';
  constructor(readonly query: string) {
    super('invalid-argument', `invalid name or ID supplied: ${JSON.stringify(query)}: give a container name or ID`);
  }
}

export function shortContainerId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/**
 * A new random container ID: 64 lowercase hex characters whose 12-character short form is never
 * all digits, because the short ID becomes the hostname and an all-numeric hostname is read as
 * an address by some resolvers (moby#3869). `random` is injectable for tests.
 */
export function newContainerId(random: (size: number) => Uint8Array = randomBytes): string {
  for (;;) {
    const id = Buffer.from(random(32)).toString('hex');
    if (!/^[0-9]+$/.test(id.slice(0, SHORT_ID_LENGTH))) return id;
  }
}

/**
 * Finds the container a user means, in Docker's order: an exact full ID, then an exact name
 * (with or without the leading '/' Docker shows), then a unique ID prefix. A name beats an ID
 * prefix, so a container named `abc` wins over an ID starting with `abc`.
 */
export function resolveContainer<T extends { id: string; name: string }>(all: readonly T[], query: string): T {
  if (query === '') throw new InvalidContainerQueryError(query);
  const byId = all.find((c) => c.id === query);
  if (byId) return byId;
  const wanted = stripSlash(query);
  const byName = all.find((c) => stripSlash(c.name) === wanted);
  if (byName) return byName;
  const matches = all.filter((c) => c.id.startsWith(query));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new AmbiguousContainerError(query, matches.map((c) => shortContainerId(c.id)).sort());
  throw new NoSuchContainerError(query);
}

function stripSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}
