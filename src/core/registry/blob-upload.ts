// The pure parts of the distribution API's blob upload protocol: where the next request of an
// upload session goes (the Location header, relative or absolute, carrying the session state),
// and the byte ranges of chunked uploads.

import { TsdockError } from '../errors.js';

/** The registry answered an upload step with something the protocol does not allow. */
export class UploadProtocolError extends TsdockError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/**
 * The URL of the next request of an upload session. Registries answer each step with a
 * Location (often relative, with opaque `_state` query parameters that must be kept); extra
 * parameters such as `digest` are added to it, never replacing what the registry put there.
 */
export function uploadUrl(location: string | string[] | undefined, requestUrl: string, params: Record<string, string> = {}): string {
  const value = Array.isArray(location) ? location[0] : location;
  if (!value) throw new UploadProtocolError(`the registry answered ${new URL(requestUrl).pathname} without a Location header for the upload`);
  const url = new URL(value, requestUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The Content-Range of a chunk: inclusive offsets without a unit, as the distribution spec wants. */
export function contentRange(offset: number, length: number): string {
  if (length <= 0) throw new RangeError('a chunk must hold at least one byte');
  return `${offset}-${offset + length - 1}`;
}

/**
 * The bytes a registry says it holds after a chunk, from its Range header: `0-999` (what
 * distribution sends) or `bytes=0-999`. Returns the count (end + 1), or undefined without one.
 */
export function receivedBytes(range: string | string[] | undefined): number | undefined {
  const value = Array.isArray(range) ? range[0] : range;
  if (value === undefined || value === '') return undefined;
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec(value.trim());
  if (!m) throw new UploadProtocolError(`the registry sent a malformed Range header "${value}" during a chunked upload`);
  return Number(m[2]) + 1;
}

/** Splits a blob of `size` bytes into [offset, length] chunks of at most `chunkSize`. */
export function chunkPlan(size: number, chunkSize: number): [number, number][] {
  if (chunkSize < 1) throw new RangeError('chunk size must be positive');
  const plan: [number, number][] = [];
  for (let offset = 0; offset < size; offset += chunkSize) plan.push([offset, Math.min(chunkSize, size - offset)]);
  return plan;
}
