import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TsdockError } from '../errors.js';

/** An OCI digest string, `sha256:<64 hex>`. Only sha256 is produced or accepted for content. */
export type Digest = `sha256:${string}`;

export class InvalidDigestError extends TsdockError {
  constructor(value: string) {
    super('invalid-argument', `invalid digest "${value}": expected sha256:<64 lowercase hex characters>`);
  }
}

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function parseDigest(value: string): Digest {
  if (!SHA256.test(value)) throw new InvalidDigestError(value);
  return value as Digest;
}

export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function sha256Digest(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Short form shown in tables: the first 12 hex characters. */
export function shortId(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}

/** Incremental sha256 plus byte count: the two facts a blob is verified by. */
export class ContentHasher {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** Valid once, after the last update(). */
  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/**
 * Pass-through stream that hashes and counts the bytes flowing by, so a layer's diffID is
 * verified in the same pass that unpacks it.
 */
export class HashingCounter extends Transform {
  readonly hasher = new ContentHasher();

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hasher.update(chunk);
    cb(null, chunk);
  }
}
