import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parseDigest, sha256Digest, type Digest } from '../oci/digest.js';
import { parseImageConfig, type ImageConfig } from './image-config.js';
import type { ImageLayer } from './image-record.js';
import { writeImage, type ManifestFormat } from './image-writer.js';
import { importLayer } from './layer-import.js';
import { ExtractedArchive } from './archive-reader.js';
import { ArchiveError, archivePath, archiveTag, blobPathOf, compressionOf, digestInName, ociEntryName, parseDockerArchiveManifest, parseOciIndex } from './image-archive.js';
import { hostPlatform, formatPlatform, selectManifest } from '../oci/platform.js';
import { runBounded } from './run-bounded.js';
import { parseManifest, type Descriptor, type ImageManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { tempName } from '../store/atomic-file.js';
import type { Store } from './store.js';

export interface LoadedImage {
  id: Digest;
  /** Full references the archive names it by. */
  tags: string[];
}

export interface LoadResult {
  images: LoadedImage[];
  /** Tags that pointed at another image before (Docker says it "renames the old one"). */
  replaced: { tag: string; previous: Digest }[];
}

/** Progress of one layer read from the archive (bytes of the layer file). */
export interface LoadProgress {
  diffId: Digest;
  current: number;
  total: number;
}

export interface LoadOptions {
  /** Layers imported at once (each unpacks on its own core). */
  concurrency?: number;
  onProgress?: (p: LoadProgress) => void;
}

/** One image the archive describes, checked against the archive before anything is stored. */
interface ImagePlan {
  id: Digest;
  configBytes: Buffer;
  config: ImageConfig;
  layers: LayerSource[];
  tags: string[];
  format: ManifestFormat;
}

interface LayerSource {
  path: string;
  diffId: Digest;
  /** The blob digest and size a descriptor (or the file name) claims, if any. */
  digest?: Digest;
  size?: number;
}

/**
 * Loads every image of a docker-archive or OCI-layout tar (gzip-compressed or not), as written
 * by tsdock, docker, podman or skopeo. The archive is spooled and fully checked first (every
 * referenced file present, configs and manifests matching their digests); then the layers are
 * imported (blob kept gzip-compressed, diffID verified while unpacking) and the images written
 * with their config bytes unchanged, so image IDs are preserved. On any failure the layers this
 * load brought in are removed again and no image or tag is written.
 */
export async function loadImages(store: Store, source: Readable, opts: LoadOptions = {}): Promise<LoadResult> {
  const archive = await ExtractedArchive.extract(source, tempName(store.content.ingestDir, 'load'));
  try {
    let plans: ImagePlan[];
    if (archive.has('manifest.json')) plans = await planDockerArchive(archive);
    else if (archive.has('index.json')) plans = await planOciLayout(archive);
    else throw new ArchiveError('the archive has neither manifest.json (docker-archive) nor index.json (OCI layout); is it the output of an image save?');
    plans = mergeSameImage(plans);

    const imported = await importLayers(store, archive, plans, opts.concurrency ?? 2, opts.onProgress);
    const tagsBefore = await store.images.tags();
    const result: LoadResult = { images: [], replaced: [] };
    for (const plan of plans) {
      for (const tag of plan.tags) {
        const previous = tagsBefore[tag];
        if (previous && previous !== plan.id) result.replaced.push({ tag, previous });
      }
      const record = await writeImage(store, {
        config: plan.config,
        configBytes: plan.configBytes,
        layers: plan.layers.map((l) => imported.get(l.diffId)!),
        tags: plan.tags,
        format: plan.format,
      });
      result.images.push({ id: record.id, tags: plan.tags });
    }
    return result;
  } finally {
    await archive.remove();
  }
}

async function planDockerArchive(archive: ExtractedArchive): Promise<ImagePlan[]> {
  const entries = parseDockerArchiveManifest(await archive.readDocument('manifest.json', 'manifest.json'));
  const plans: ImagePlan[] = [];
  for (const [i, entry] of entries.entries()) {
    const what = `the config of image ${i + 1} of manifest.json`;
    const configBytes = await archive.readDocument(entry.Config, what);
    const id = sha256Digest(configBytes);
    const claimed = digestInName(archivePath(entry.Config));
    if (claimed && claimed !== id) throw new ArchiveError(`${what} (${entry.Config}) hashes to ${id}; the archive is corrupt`);
    const config = parseConfig(configBytes, entry.Config, entry.Layers.length);
    const layers = entry.Layers.map((path, j): LayerSource => {
      archive.need(path, `layer ${j + 1} of image ${i + 1}`);
      const named = digestInName(archivePath(path));
      return { path, diffId: parseDigest(config.rootfs.diff_ids[j]!), ...(named && { digest: named }) };
    });
    plans.push({ id, configBytes, config, layers, tags: (entry.RepoTags ?? []).map(archiveTag), format: 'docker' });
  }
  return plans;
}

async function planOciLayout(archive: ExtractedArchive): Promise<ImagePlan[]> {
  const plans: ImagePlan[] = [];
  for (const desc of parseOciIndex(await archive.readDocument('index.json', 'index.json'))) {
    let manifestDesc = desc;
    let manifest = parseManifest(await readBlob(archive, desc, 'an image manifest'), desc.mediaType, `${desc.digest} in the archive`);
    if (manifest.kind === 'index') {
      const chosen = selectManifest(manifest.manifests, hostPlatform());
      if (!chosen) throw new ArchiveError(`the archive's image index ${desc.digest} has no manifest for ${formatPlatform(hostPlatform())}`);
      manifestDesc = chosen;
      manifest = parseManifest(await readBlob(archive, chosen, 'an image manifest'), chosen.mediaType, `${chosen.digest} in the archive`);
      if (manifest.kind !== 'manifest') throw new ArchiveError(`the archive's index ${desc.digest} points to another index, which tsdock does not follow`);
    }
    const m: ImageManifest = manifest;
    const configBytes = await readBlob(archive, m.config, 'an image config');
    const config = parseConfig(configBytes, m.config.digest, m.layers.length);
    const layers = m.layers.map((l, j): LayerSource => {
      archive.need(blobPathOf(l.digest), `layer ${l.digest} of image ${manifestDesc.digest}`);
      return { path: blobPathOf(l.digest), diffId: parseDigest(config.rootfs.diff_ids[j]!), digest: l.digest, size: l.size };
    });
    const tag = ociEntryName(desc.annotations);
    plans.push({ id: m.config.digest, configBytes, config, layers, tags: tag ? [tag] : [], format: m.mediaType === MediaType.dockerManifest ? 'docker' : 'oci' });
  }
  return plans;
}

/** A small blob (manifest, config) read whole and checked against its descriptor. */
async function readBlob(archive: ExtractedArchive, desc: Descriptor, what: string): Promise<Buffer> {
  const path = blobPathOf(desc.digest);
  const bytes = await archive.readDocument(path, `${what} (${desc.digest})`);
  const actual = sha256Digest(bytes);
  if (actual !== desc.digest || bytes.length !== desc.size) {
    throw new ArchiveError(`${what} ${path} in the archive does not match its descriptor (${bytes.length} bytes hashing to ${actual}); the archive is corrupt`);
  }
  return bytes;
}

function parseConfig(bytes: Buffer, where: string, layerCount: number): ImageConfig {
  let config: ImageConfig;
  try {
    config = parseImageConfig(bytes, `${where} in the archive`);
  } catch (err) {
    throw new ArchiveError((err as Error).message);
  }
  if (config.rootfs.diff_ids.length !== layerCount) {
    throw new ArchiveError(`the image config ${where} lists ${config.rootfs.diff_ids.length} diff IDs for ${layerCount} layers; the archive is malformed`);
  }
  try {
    config.rootfs.diff_ids.forEach(parseDigest);
  } catch (err) {
    throw new ArchiveError(`the image config ${where} has a malformed diff ID: ${(err as Error).message}`);
  }
  return config;
}

/** An OCI layout may list one image under several names: one plan, all the names. */
function mergeSameImage(plans: ImagePlan[]): ImagePlan[] {
  const byId = new Map<Digest, ImagePlan>();
  for (const p of plans) {
    const seen = byId.get(p.id);
    if (seen) seen.tags.push(...p.tags.filter((t) => !seen.tags.includes(t)));
    else byId.set(p.id, { ...p, tags: [...p.tags] });
  }
  return [...byId.values()];
}

/**
 * Brings in every distinct layer of the plans. A layer some stored image already has (with its
 * blob) is reused; the others are imported from the archive. If any fails, the layers imported
 * here that no image uses are removed again, blobs included.
 */
async function importLayers(
  store: Store,
  archive: ExtractedArchive,
  plans: ImagePlan[],
  concurrency: number,
  onProgress?: (p: LoadProgress) => void,
): Promise<Map<Digest, ImageLayer>> {
  const known = new Map<Digest, ImageLayer>();
  for (const image of await store.images.list()) {
    for (const l of image.layers) if (!known.has(l.diffId) && (await store.layers.has(l.diffId)) && (await store.content.has(l.blobDigest))) known.set(l.diffId, l);
  }
  const distinct = new Map<Digest, LayerSource>();
  for (const p of plans) for (const l of p.layers) if (!distinct.has(l.diffId)) distinct.set(l.diffId, l);

  const result = new Map<Digest, ImageLayer>();
  const created: ImageLayer[] = [];
  try {
    await runBounded([...distinct.values()], concurrency, async (source, signal) => {
      const reuse = known.get(source.diffId);
      if (reuse) {
        result.set(source.diffId, reuse);
        return;
      }
      const existed = await store.layers.has(source.diffId);
      const layer = await importFromArchive(store, archive, source, signal, onProgress);
      result.set(source.diffId, layer);
      if (!existed) created.push(layer);
    });
  } catch (err) {
    await removeUnused(store, created);
    throw err;
  }
  return result;
}

async function importFromArchive(
  store: Store,
  archive: ExtractedArchive,
  source: LayerSource,
  signal: AbortSignal,
  onProgress?: (p: LoadProgress) => void,
): Promise<ImageLayer> {
  const compression = compressionOf(await archive.head(source.path));
  if (compression === 'zstd') {
    throw new ArchiveError(`layer ${source.path} of the archive is zstd-compressed, which this Node version cannot decompress; save the image with gzip or uncompressed layers`);
  }
  const file = archive.open(source.path);
  if (onProgress) {
    const total = await archive.size(source.path);
    let current = 0;
    let last = 0;
    onProgress({ diffId: source.diffId, current, total });
    // A second 'data' listener beside the pipe: it sees every chunk without changing the flow.
    file.on('data', (chunk: Buffer) => {
      current += chunk.length;
      const now = Date.now();
      if (now - last >= 100 || current === total) {
        last = now;
        onProgress({ diffId: source.diffId, current, total });
      }
    });
  }
  if (compression === 'gzip') {
    const { layer } = await importLayer(store, file, {
      mediaType: MediaType.dockerLayerGzip,
      expected: { digest: source.digest, size: source.size, diffId: source.diffId },
      signal,
    });
    return layer;
  }
  // A plain tar's digest is its diffID: a name or descriptor that claims otherwise is corrupt.
  if (source.digest && source.digest !== source.diffId) {
    file.destroy();
    throw new ArchiveError(`layer ${source.path} of the archive is an uncompressed tar named ${source.digest}, but the image config says its diffID is ${source.diffId}; the archive is corrupt`);
  }
  if (source.size !== undefined && source.size !== (await archive.size(source.path))) {
    file.destroy();
    throw new ArchiveError(`layer ${source.path} of the archive is ${await archive.size(source.path)} bytes, but its descriptor says ${source.size}; the archive is corrupt`);
  }
  // Stored gzip-compressed, as pulled layers are, so push and save hand out compressed blobs.
  const gzip = createGzip({ chunkSize: 256 << 10 });
  file.on('error', (err) => gzip.destroy(err));
  gzip.on('close', () => file.destroy());
  const { layer } = await importLayer(store, file.pipe(gzip), { mediaType: MediaType.dockerLayerGzip, expected: { diffId: source.diffId }, signal });
  return layer;
}

async function removeUnused(store: Store, layers: ImageLayer[]): Promise<void> {
  if (layers.length === 0) return;
  await store.lock.withLock(async () => {
    const images = await store.images.list();
    const usedLayers = new Set(images.flatMap((i) => i.layers.map((l) => l.diffId)));
    const usedBlobs = new Set(images.flatMap((i) => i.layers.map((l) => l.blobDigest)));
    for (const l of layers) {
      if (!usedLayers.has(l.diffId)) await store.layers.delete(l.diffId);
      if (!usedBlobs.has(l.blobDigest)) await store.content.delete(l.blobDigest);
    }
  });
}
