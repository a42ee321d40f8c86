import { parseDigest, type Digest } from '../oci/digest.js';
import type { ImageLayer, ImageRecord } from './image-record.js';
import { parseImageConfig, type ImageConfig } from './image-config.js';
import { importLayer, readableCompression } from './layer-import.js';
import { formatPlatform, hostPlatform, selectManifest, type Platform } from '../oci/platform.js';
import { formatReference, type ImageReference } from '../oci/reference.js';
import type { PullListener } from './pull-events.js';
import { runBounded } from './run-bounded.js';
import type { Descriptor, ImageManifest } from '../oci/manifest.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { Store } from './store.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class PullError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface PullOptions {
  platform?: Platform;
  maxConcurrentDownloads?: number;
  onEvent?: PullListener;
}

export interface PullResult {
  image: ImageRecord;
  /** Full reference as given (normalized). */
  reference: string;
  manifestDigest: Digest;
  /** False when every layer was already there ("Image is up to date"). */
  downloaded: boolean;
}

/**
 * Pulls one image: manifest (index -> platform), config, then the missing layers in parallel,
 * each streamed once from the socket through the blob store, gunzip, diffID hash and unpacker.
 * The image record and tag are written only after every layer verified, so a failed or
 * killed pull leaves nothing half-visible.
 */
export async function pullImage(store: Store, registry: RegistryClient, ref: ImageReference, opts: PullOptions = {}): Promise<PullResult> {
  const emit = opts.onEvent ?? (() => {});
  const reference = formatReference(ref);
  const platform = opts.platform ?? hostPlatform();

  const top = await registry.getManifest(ref.path, ref.digest ?? ref.tag ?? 'latest');
  let fetched = top;
  if (top.manifest.kind === 'index') {
    const chosen = selectManifest(top.manifest.manifests, platform);
    if (!chosen) {
      const offered = top.manifest.manifests.filter((m) => m.platform).map((m) => formatPlatform(m.platform!));
      throw new PullError(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries of ${reference} (available: ${offered.join(', ') || 'none'}); choose one with --platform`, 'not-found');
    }
    fetched = await registry.getManifestFrom(top.endpoint, ref.path, chosen.digest);
    if (fetched.manifest.kind !== 'manifest') throw new PullError(`${reference}: an index entry points to another index, which tsdock does not follow`, 'not-implemented');
  }
  const manifest = fetched.manifest as ImageManifest;
  const { endpoint } = fetched;

  const config = await fetchConfig(store, registry, endpoint, ref.path, manifest.config, reference);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new PullError(`${reference}: the manifest lists ${manifest.layers.length} layers but the image config ${config.rootfs.diff_ids.length} diff IDs; the image is malformed`);
  }

  // The manifest the user asked for (the index, when there is one) is what RepoDigests name.
  await store.content.putBytes(top.bytes, top.digest);
  await store.content.putBytes(fetched.bytes, fetched.digest);
  emit({ type: 'resolved', reference, manifestDigest: top.digest, layers: manifest.layers.map((l) => ({ digest: l.digest, size: l.size })) });

  const layers: ImageLayer[] = manifest.layers.map((l, i) => ({
    blobDigest: l.digest,
    blobSize: l.size,
    mediaType: l.mediaType,
    diffId: parseDigest(config.rootfs.diff_ids[i]!),
  }));
  const missing: ImageLayer[] = [];
  for (const layer of layers) {
    if (await store.layers.has(layer.diffId)) emit({ type: 'layer', digest: layer.blobDigest, phase: 'exists' });
    else if (!missing.some((m) => m.diffId === layer.diffId)) {
      missing.push(layer);
      emit({ type: 'layer', digest: layer.blobDigest, phase: 'waiting', current: 0, total: layer.blobSize });
    }
  }

  await runBounded(missing, opts.maxConcurrentDownloads ?? 3, (layer, signal) => fetchLayer(store, registry, endpoint, ref.path, layer, emit, signal));

  const sizes = await Promise.all(layers.map(async (l) => (await store.layers.info(l.diffId))?.size ?? 0));
  const repoName = reference.replace(/[:@][^/]*$/, '');
  let retagged = false;
  const image = await store.lock.withLock(async () => {
    for (const l of layers) {
      if (!(await store.layers.has(l.diffId))) throw new PullError(`layer ${l.diffId} of ${reference} was removed while pulling (by a concurrent rmi?); pull again`, 'conflict');
    }
    const previous = await store.images.get(manifest.config.digest);
    if (!previous) retagged = true;
    const repoDigest = `${repoName}@${top.digest}`;
    const record: ImageRecord = {
      id: manifest.config.digest,
      manifestDigest: fetched.digest,
      manifestMediaType: manifest.mediaType,
      repoDigests: [...new Set([...(previous?.repoDigests ?? []), repoDigest])],
      layers,
      size: sizes.reduce((a, b) => a + b, 0),
      stored: previous?.stored ?? new Date().toISOString(),
    };
    await store.images.put(record);
    if (ref.tag) {
      const tags = await store.images.tags();
      retagged ||= tags[`${repoName}:${ref.tag}`] !== record.id;
      tags[`${repoName}:${ref.tag}`] = record.id;
      await store.images.saveTags(tags);
    }
    return record;
  });
  // Docker's "Downloaded newer image" means the name now points somewhere new.
  const downloaded = retagged || missing.length > 0;
  emit({ type: 'done', reference, manifestDigest: top.digest, imageId: image.id, downloaded });
  return { image, reference, manifestDigest: top.digest, downloaded };
}

async function fetchConfig(store: Store, registry: RegistryClient, endpoint: string, repo: string, desc: Descriptor, reference: string): Promise<ImageConfig> {
  if (!(await store.content.has(desc.digest))) {
    const bytes = await registry.fetchBlobBytes(endpoint, repo, desc.digest);
    await store.content.putBytes(bytes, desc.digest);
  }
  return parseImageConfig(await store.content.read(desc.digest), reference);
}

/** Downloads, verifies and unpacks one layer in a single pass over the bytes. */
async function fetchLayer(
  store: Store,
  registry: RegistryClient,
  endpoint: string,
  repo: string,
  layer: ImageLayer,
  emit: PullListener,
  signal: AbortSignal,
): Promise<void> {
  readableCompression(layer.mediaType, layer.blobDigest); // refused before any byte is fetched
  const res = await registry.openBlob(endpoint, repo, layer.blobDigest);
  let lastEmit = 0;
  await importLayer(store, res.body, {
    mediaType: layer.mediaType,
    expected: { digest: layer.blobDigest, size: layer.blobSize, diffId: layer.diffId },
    signal,
    onBytes: (n) => {
      const now = Date.now();
      if (now - lastEmit >= 100 || n === layer.blobSize) {
        lastEmit = now;
        emit({ type: 'layer', digest: layer.blobDigest, phase: 'downloading', current: n, total: layer.blobSize });
      }
    },
  });
  emit({ type: 'layer', digest: layer.blobDigest, phase: 'verifying' });
  emit({ type: 'layer', digest: layer.blobDigest, phase: 'complete' });
}
