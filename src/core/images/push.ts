import type { Digest } from '../oci/digest.js';
import type { ImageLayer, ImageRecord } from './image-record.js';
import type { TagMap } from './image-store.js';
import { familiarName, formatReference, parseReference, type ImageReference } from '../oci/reference.js';
import type { PushListener } from './push-events.js';
import { runBounded } from './run-bounded.js';
import { chunkPlan } from '../registry/blob-upload.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { Store } from './store.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class PushError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'not-found') {
    super(kind, message);
  }
}

/** Docker's words for pushing a name that has no local image. */
export class NoLocalImageError extends PushError {
  constructor(ref: ImageReference) {
    super(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  }
}

export interface PushOptions {
  /** Blobs larger than this go up in chunks of this size (PATCH + Content-Range); smaller ones in one PUT. */
  chunkSize: number;
  maxConcurrentUploads: number;
  onEvent?: PushListener;
}

export interface PushResult {
  reference: string;
  tag: string;
  /** Digest of the manifest as pushed (what `name@digest` pulls). */
  digest: Digest;
  /** Bytes of that manifest. */
  size: number;
}

/** Repositories a blob is tried to be mounted from, at most this many per blob. */
const MAX_MOUNT_SOURCES = 3;

/**
 * Other repositories of the target's registry the image is known from, most certain first:
 * its RepoDigests (pulled from or pushed to there) and then its local tags. A registry that
 * lacks the blob there answers a mount with an ordinary upload session, so a wrong guess costs
 * one request at most.
 */
export function mountSources(image: ImageRecord, tags: TagMap, target: ImageReference): string[] {
  const names = [...image.repoDigests, ...Object.entries(tags).filter(([, id]) => id === image.id).map(([t]) => t)];
  const repos: string[] = [];
  for (const name of names) {
    let ref: ImageReference;
    try {
      ref = parseReference(name);
    } catch {
      // A stored name that no longer parses names no repository to push to.
      continue;
    }
    if (ref.domain !== target.domain || ref.path === target.path || repos.includes(ref.path)) continue;
    repos.push(ref.path);
  }
  return repos.slice(0, MAX_MOUNT_SOURCES);
}

/**
 * Pushes a tagged local image: each layer blob (exactly the bytes in the content store) unless
 * the repository has it or it can be mounted from a sibling repository, then the config and the
 * manifest under the tag. Nothing local changes until the manifest is accepted; then the repo
 * digest is recorded on the image.
 */
export async function pushImage(store: Store, registry: RegistryClient, ref: ImageReference, opts: PushOptions): Promise<PushResult> {
  const emit = opts.onEvent ?? (() => {});
  const tag = ref.tag ?? 'latest';
  const reference = formatReference({ domain: ref.domain, path: ref.path, tag });
  const tags = await store.images.tags();
  const id = tags[reference];
  const image = id ? await store.images.get(id) : undefined;
  if (!image) throw new NoLocalImageError(ref);

  // Everything that goes up must be here before the first byte does.
  // Any failure to read the manifest means the store lacks it: said in Docker's words below.
  const manifestBytes = await store.content.read(image.manifestDigest).catch(() => {
    throw new PushError(`the manifest of ${familiarName(ref)}:${tag} (${image.manifestDigest}) is missing from the store; pull or re-create the image`, 'not-found');
  });
  for (const digest of [image.id, ...image.layers.map((l) => l.blobDigest)]) {
    if (!(await store.content.has(digest))) {
      throw new PushError(`blob ${digest} of ${familiarName(ref)}:${tag} is missing from the store, so the image cannot be pushed; pull or re-create it`);
    }
  }

  // One upload per distinct blob; Docker lists the top layer first.
  const layers: ImageLayer[] = [];
  for (const l of [...image.layers].reverse()) if (!layers.some((x) => x.blobDigest === l.blobDigest)) layers.push(l);
  for (const l of layers) emit({ type: 'layer', diffId: l.diffId, phase: 'preparing' });
  layers.forEach((l, i) => i >= opts.maxConcurrentUploads && emit({ type: 'layer', diffId: l.diffId, phase: 'waiting' }));

  const sources = mountSources(image, tags, ref);
  await runBounded(layers, opts.maxConcurrentUploads, async (layer, signal) => {
    const outcome = await pushBlob(store, registry, ref.path, layer.blobDigest, layer.blobSize, sources, opts.chunkSize, signal, (current) =>
      emit({ type: 'layer', diffId: layer.diffId, phase: 'pushing', current, total: layer.blobSize }),
    );
    if (outcome.kind === 'exists') emit({ type: 'layer', diffId: layer.diffId, phase: 'exists' });
    else if (outcome.kind === 'mounted') emit({ type: 'layer', diffId: layer.diffId, phase: 'mounted', from: outcome.from });
    else emit({ type: 'layer', diffId: layer.diffId, phase: 'pushed' });
  });
  await pushBlob(store, registry, ref.path, image.id, await store.content.size(image.id), sources, opts.chunkSize);

  const digest = await registry.putManifest(ref.path, tag, manifestBytes, image.manifestMediaType);
  const repoDigest = `${ref.domain}/${ref.path}@${digest}`;
  await store.lock.withLock(async () => {
    const current = await store.images.get(image.id);
    if (!current || current.repoDigests.includes(repoDigest)) return; // removed meanwhile, or known already
    await store.images.put({ ...current, repoDigests: [...current.repoDigests, repoDigest] });
  });
  emit({ type: 'done', reference, tag, digest, size: manifestBytes.length });
  return { reference, tag, digest, size: manifestBytes.length };
}

type BlobOutcome = { kind: 'exists' } | { kind: 'mounted'; from: string } | { kind: 'pushed' };

async function pushBlob(
  store: Store,
  registry: RegistryClient,
  repo: string,
  digest: Digest,
  size: number,
  sources: string[],
  chunkSize: number,
  signal?: AbortSignal,
  onBytes?: (current: number) => void,
): Promise<BlobOutcome> {
  if (await registry.blobExists(repo, digest)) return { kind: 'exists' };
  let location: string | undefined;
  for (const from of sources) {
    const start = await registry.startUpload(repo, { digest, repo: from });
    if (start.mounted) return { kind: 'mounted', from };
    // The refused mount opened an ordinary session: keep the last one for the upload.
    if (location) await registry.cancelUpload(repo, location);
    location = start.location;
  }
  if (!location) {
    const start = await registry.startUpload(repo);
    if (start.mounted) return { kind: 'mounted', from: repo };
    location = start.location;
  }
  onBytes?.(0);
  if (size <= chunkSize) {
    await registry.completeUpload(repo, location, digest, await store.content.read(digest));
  } else {
    for (const [offset, length] of chunkPlan(size, chunkSize)) {
      if (signal?.aborted) {
        await registry.cancelUpload(repo, location);
        throw new PushError('cancelled because another layer failed', 'cancelled');
      }
      location = await registry.uploadChunk(repo, location, await store.content.readRange(digest, offset, length), offset);
      onBytes?.(offset + length);
    }
    await registry.completeUpload(repo, location, digest);
  }
  onBytes?.(size);
  return { kind: 'pushed' };
}
