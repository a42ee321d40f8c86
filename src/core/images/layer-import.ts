import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { HashingCounter, type Digest } from '../oci/digest.js';
import type { ImageLayer } from './image-record.js';
import { CorruptLayerTarError, unpackLayer, UnsafeLayerEntryError } from './layer-unpack.js';
import { BlobVerificationError } from './content-store.js';
import { layerCompression } from '../oci/media-types.js';
import type { Store } from './store.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class LayerImportError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface LayerImportOptions {
  /** Media type of the blob; says whether it is gzip-compressed or a plain tar. */
  mediaType: string;
  /**
   * What a manifest promised: the blob is verified against it, and nothing is kept on mismatch.
   * An archive may only promise the diffID (docker-archive layers have no blob digest).
   */
  expected?: { digest?: Digest; size?: number; diffId?: Digest };
  /** Running count of blob bytes read, for progress. */
  onBytes?: (bytes: number) => void;
  /** Aborting destroys the source and discards everything written so far. */
  signal?: AbortSignal;
}

export interface ImportedLayer {
  layer: ImageLayer;
  /** Bytes of the uncompressed tar. */
  diffSize: number;
}

/** How a layer of this media type is decompressed; an error for types tsdock cannot unpack. */
export function readableCompression(mediaType: string, name: string): 'gzip' | 'none' {
  const compression = layerCompression(mediaType);
  if (compression === undefined) throw new LayerImportError(`layer ${name} has media type ${mediaType}, which tsdock cannot unpack`);
  if (compression === 'zstd') throw new LayerImportError(`layer ${name} is zstd-compressed, which this Node version cannot decompress; use a gzip variant of the image`, 'not-implemented');
  return compression;
}

/**
 * Stores one layer blob and unpacks it in a single pass over its bytes: the blob goes into the
 * content store as it is (so push and save hand out the same bytes), the tar is hashed for its
 * diffID and unpacked into a private directory, which becomes the layer only once everything
 * verified. Pull, load and commit all bring layers in this way.
 */
export async function importLayer(store: Store, source: Readable, opts: LayerImportOptions): Promise<ImportedLayer> {
  const name = opts.expected?.digest ?? 'layer';
  const compression = readableCompression(opts.mediaType, name);

  const ingest = await store.content.ingest(opts.expected?.digest, opts.expected?.digest && opts.expected.size);
  ingest.onBytes = opts.onBytes;
  const pending = await store.layers.begin(opts.expected?.diffId ?? opts.expected?.digest ?? 'sha256:new');
  const diff = new HashingCounter();
  const onAbort = () => source.destroy(new LayerImportError('cancelled because another layer failed', 'cancelled'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [source, ingest.stream];
    if (compression === 'gzip') stages.push(createGunzip({ chunkSize: 256 << 10 })); // fewer, larger callbacks
    stages.push(diff);
    // unpackLayer consumes the tar to its end, so the hashes see every byte. Wait for both
    // sides even when one fails, so nothing still writes into the pending dir.
    const [piped, unpacked] = await Promise.allSettled([
      pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]]),
      unpackLayer(diff, pending.diffDir, { convertWhiteout: store.layers.whiteoutConverter() }),
    ]);
    // A refused entry or a malformed tar is the root cause even though it also cut the pipeline short.
    if (unpacked.status === 'rejected' && (unpacked.reason instanceof UnsafeLayerEntryError || unpacked.reason instanceof CorruptLayerTarError)) throw unpacked.reason;
    if (piped.status === 'rejected') throw piped.reason;
    if (unpacked.status === 'rejected') throw unpacked.reason;
    const blobDigest = await ingest.commit();
    const diffId = diff.hasher.digest();
    if (opts.expected?.diffId && diffId !== opts.expected.diffId) {
      await store.content.delete(blobDigest);
      throw new LayerImportError(`layer ${blobDigest} unpacks to ${diffId}, but the image config says ${opts.expected.diffId}; the image is corrupt, nothing was stored`);
    }
    await store.layers.commit(pending, { diffId, size: diff.hasher.bytes });
    return { layer: { blobDigest, blobSize: ingest.bytes, mediaType: opts.mediaType, diffId }, diffSize: diff.hasher.bytes };
  } catch (err) {
    source.destroy();
    await ingest.abort();
    await store.layers.discard(pending);
    if (err instanceof LayerImportError || err instanceof BlobVerificationError || err instanceof UnsafeLayerEntryError) throw err;
    // gunzip or the tar parser choking ("incorrect data check") means damaged bytes: say so, as a digest mismatch would.
    if (isCorruptData(err)) throw new LayerImportError(`layer ${name} failed verification (digest mismatch or corrupt data): ${(err as Error).message}; nothing was stored`);
    throw new LayerImportError(`layer ${name}: ${(err as Error).message}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR: bad or cut-off gzip data) and a malformed tar. */
function isCorruptData(err: unknown): boolean {
  return err instanceof CorruptLayerTarError || /^Z_/.test(String((err as NodeJS.ErrnoException).code ?? ''));
}
