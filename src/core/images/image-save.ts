import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ContentHasher, digestHex, sha256Digest, type Digest } from '../oci/digest.js';
import type { ImageLayer, ImageRecord } from './image-record.js';
import { resolveImage } from './image-resolver.js';
import { buildManifest } from './image-writer.js';
import { blobPathOf, dockerArchiveManifest, dockerRepositories, ociIndex, OCI_LAYOUT_FILE, type ArchiveFormat } from './image-archive.js';
import { parseReference } from '../oci/reference.js';
import { TarWriter } from './tar-writer.js';
import { layerCompression, MediaType } from '../oci/media-types.js';
import { tempName } from '../store/atomic-file.js';
import type { Store } from './store.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class SaveError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'internal') {
    super(kind, message);
  }
}

/** One image to save and the names (full references) it goes under. */
export interface SaveItem {
  image: ImageRecord;
  tags: string[];
}

/**
 * What `docker save NAME...` puts in the archive: a name with a tag saves that tag; a bare
 * repository name saves every local tag of it; an image ID (or digest reference) saves the
 * image untagged. The same image named twice is saved once with all its names.
 */
export async function resolveSaveItems(store: Store, names: string[]): Promise<SaveItem[]> {
  const tags = await store.images.tags();
  const items = new Map<Digest, SaveItem>();
  const add = (image: ImageRecord, names: string[]) => {
    const item = items.get(image.id) ?? { image, tags: [] };
    for (const n of names) if (!item.tags.includes(n)) item.tags.push(n);
    items.set(image.id, item);
  };
  for (const name of names) {
    const ref = tryParse(name);
    if (ref && !/[:@][^/]*$/.test(name)) {
      const prefix = `${ref.domain}/${ref.path}:`;
      const repoTags = Object.keys(tags).filter((t) => t.startsWith(prefix)).sort();
      if (repoTags.length > 0) {
        for (const t of repoTags) {
          const image = await store.images.get(tags[t]!);
          if (image) add(image, [t]);
        }
        continue;
      }
    }
    const found = await resolveImage(store.images, name);
    add(found.image, found.tag ? [found.tag] : []);
  }
  return [...items.values()];
}

function tryParse(name: string) {
  try {
    return parseReference(name);
  } catch {
    // Not a reference (an image ID, say): saved by what it names, without repository tags.
    return undefined;
  }
}

/** Writes the archive of `items` to `out` (which is left open). */
export async function writeImageArchive(store: Store, items: SaveItem[], format: ArchiveFormat, out: NodeJS.WritableStream): Promise<void> {
  const tar = new TarWriter(out);
  if (format === 'docker-archive') await writeDockerArchive(store, tar, items);
  else await writeOciArchive(store, tar, items);
  await tar.finish();
}

async function writeDockerArchive(store: Store, tar: TarWriter, items: SaveItem[]): Promise<void> {
  const written = new Set<string>();
  const entries: { config: string; tags: string[]; layers: string[] }[] = [];
  for (const { image, tags } of items) {
    const layers: string[] = [];
    for (const layer of image.layers) {
      const dir = digestHex(layer.diffId);
      const path = `${dir}/layer.tar`;
      if (!written.has(path)) {
        await tar.directory(dir);
        await writeLayerTar(store, tar, path, layer);
        written.add(path);
      }
      layers.push(path);
    }
    const config = `${digestHex(image.id)}.json`;
    if (!written.has(config)) {
      await tar.file(config, await store.content.read(image.id));
      written.add(config);
    }
    entries.push({ config, tags, layers });
  }
  await tar.file('manifest.json', dockerArchiveManifest(entries));
  const named = items.filter((i) => i.tags.length > 0 && i.image.layers.length > 0);
  await tar.file('repositories', dockerRepositories(named.map((i) => ({ tags: i.tags, topLayer: digestHex(i.image.layers.at(-1)!.diffId) }))));
}

/** A layer as the uncompressed tar its diffID names: the stored blob, gunzipped, checked on the way. */
async function writeLayerTar(store: Store, tar: TarWriter, path: string, layer: ImageLayer): Promise<void> {
  const compression = layerCompression(layer.mediaType);
  if (compression !== 'gzip' && compression !== 'none') throw new SaveError(`layer ${layer.diffId} is stored ${compression ?? `as ${layer.mediaType}`}, which tsdock cannot decompress for a docker-archive; use --format oci-archive`);
  const size = compression === 'none' ? layer.blobSize : (await store.layers.info(layer.diffId))?.size;
  if (size === undefined) throw new SaveError(`layer ${layer.diffId} is missing from the layer store; pull or re-create the image`, 'not-found');
  const raw = store.content.openRead(layer.blobDigest);
  let source: Readable = raw;
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 256 << 10 });
    raw.on('error', (err) => gunzip.destroy(err));
    source = raw.pipe(gunzip);
  }
  const hasher = new ContentHasher();
  try {
    await tar.fileFrom(path, size, hashing(source, hasher));
  } catch (err) {
    throw new SaveError(`cannot save layer ${layer.diffId}: ${(err as Error).message}`);
  } finally {
    raw.destroy();
  }
  if (hasher.digest() !== layer.diffId) throw new SaveError(`layer ${layer.diffId} in the store does not match its diffID; the store is corrupt, remove and pull the image again`);
}

async function* hashing(source: AsyncIterable<Buffer>, hasher: ContentHasher): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    hasher.update(chunk);
    yield chunk;
  }
}

async function writeOciArchive(store: Store, tar: TarWriter, items: SaveItem[]): Promise<void> {
  await tar.file('oci-layout', Buffer.from(OCI_LAYOUT_FILE));
  await tar.directory('blobs');
  await tar.directory('blobs/sha256');
  const written = new Set<Digest>();
  const blob = async (digest: Digest, data: Buffer) => {
    if (written.has(digest)) return;
    await tar.file(blobPathOf(digest), data);
    written.add(digest);
  };
  const index: { manifest: { mediaType: string; digest: Digest; size: number }; tags: string[] }[] = [];
  for (const { image, tags } of items) {
    for (const layer of image.layers) {
      if (written.has(layer.blobDigest)) continue;
      const hasher = new ContentHasher();
      const raw = store.content.openRead(layer.blobDigest);
      try {
        await tar.fileFrom(blobPathOf(layer.blobDigest), await store.content.size(layer.blobDigest), hashing(raw, hasher));
      } finally {
        raw.destroy();
      }
      if (hasher.digest() !== layer.blobDigest) throw new SaveError(`blob ${layer.blobDigest} in the store does not match its digest; the store is corrupt, remove and pull the image again`);
      written.add(layer.blobDigest);
    }
    const config = await store.content.read(image.id);
    await blob(image.id, config);
    // An OCI manifest goes as it is (its digest stays); a Docker one is restated with OCI media types.
    const manifest =
      image.manifestMediaType === MediaType.ociManifest
        ? { mediaType: MediaType.ociManifest, bytes: await store.content.read(image.manifestDigest) }
        : buildManifest('oci', { digest: image.id, size: config.length }, image.layers);
    const digest = sha256Digest(manifest.bytes);
    await blob(digest, manifest.bytes);
    index.push({ manifest: { mediaType: manifest.mediaType, digest, size: manifest.bytes.length }, tags });
  }
  await tar.file('index.json', ociIndex(index));
}

/**
 * Saves into a file so that it appears complete or not at all: written beside the target under
 * a temp name, renamed into place at the end, removed on failure.
 */
export async function saveToFile(path: string, write: (out: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  const target = resolve(path);
  const tmp = tempName(dirname(target), basename(target));
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  // A write still in flight when a failed save destroys the stream errors afterwards; without a
  // listener that would crash the process instead of the clean failure below. Errors while
  // writing reach the writer through its drain wait, and finished() reports them at the end.
  out.on('error', () => {});
  try {
    await write(out);
    out.end();
    await finished(out);
    await rename(tmp, target);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(err instanceof SaveError)) throw new SaveError(`cannot write ${path}: ${(err as Error).message}`);
    throw err;
  }
}
