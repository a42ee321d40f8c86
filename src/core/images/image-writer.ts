import type { Digest } from '../oci/digest.js';
import type { ImageConfig } from './image-config.js';
import type { ImageLayer, ImageRecord } from './image-record.js';
import { formatReference, parseReference, InvalidReferenceError } from '../oci/reference.js';
import { layerCompression, MediaType } from '../oci/media-types.js';
import type { Store } from './store.js';

/** Docker's schema2 (what `docker commit`/`build` write) or the OCI image format. */
export type ManifestFormat = 'docker' | 'oci';

export interface NewImage {
  config: ImageConfig;
  /** The config exactly as stored elsewhere (load of an archive): kept byte for byte so the image ID stays the same. */
  configBytes?: Buffer;
  /** Bottom first, each already in the content store (blob) and the layer store (diff). */
  layers: ImageLayer[];
  /** References to point at the image (`name:tag`, normalized here); a tag moved away leaves the old image dangling, as with Docker. */
  tags?: string[];
  format?: ManifestFormat;
  /** Repository names with the manifest digest they are known by (load of an archive that names them). */
  repoDigests?: string[];
  /** The image this one was committed or built on (see ImageRecord.parent). */
  parent?: Digest;
}

/** The media type a layer blob has in a manifest of the given format, from its compression. */
export function layerMediaType(format: ManifestFormat, mediaType: string): string {
  const gzip = layerCompression(mediaType) === 'gzip';
  if (format === 'oci') return gzip ? MediaType.ociLayerGzip : MediaType.ociLayer;
  return gzip ? MediaType.dockerLayerGzip : MediaType.dockerLayer;
}

/** The manifest bytes for a config blob and its layers; JSON without whitespace, as Docker writes it. */
export function buildManifest(format: ManifestFormat, config: { digest: Digest; size: number }, layers: ImageLayer[]): { mediaType: string; bytes: Buffer } {
  const mediaType = format === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: layerMediaType(format, l.mediaType), digest: l.blobDigest, size: l.blobSize })),
  };
  return { mediaType, bytes: Buffer.from(JSON.stringify(doc)) };
}

/**
 * Writes a new image made here (commit, build, load): config and manifest blobs, the image
 * record and its tags, under the store lock so a concurrent rmi never sees half an image.
 */
export async function writeImage(store: Store, image: NewImage): Promise<ImageRecord> {
  const format = image.format ?? 'docker';
  const tagRefs = (image.tags ?? []).map((t) => {
    const ref = parseReference(t);
    if (ref.digest) throw new InvalidReferenceError(t, 'invalid-tag', `refusing to create a tag with a digest reference: "${t}"`);
    return formatReference(ref);
  });
  if (image.config.rootfs.diff_ids.length !== image.layers.length) {
    throw new Error(`image config lists ${image.config.rootfs.diff_ids.length} diff IDs for ${image.layers.length} layers`);
  }
  const layers = image.layers.map((l) => ({ ...l, mediaType: layerMediaType(format, l.mediaType) }));
  const configBytes = image.configBytes ?? Buffer.from(JSON.stringify(image.config));
  return store.lock.withLock(async () => {
    const configDigest = await store.content.putBytes(configBytes);
    const manifest = buildManifest(format, { digest: configDigest, size: configBytes.length }, layers);
    const manifestDigest = await store.content.putBytes(manifest.bytes);
    let size = 0;
    for (const l of layers) {
      const info = await store.layers.info(l.diffId);
      if (!info) throw new Error(`layer ${l.diffId} is not in the layer store`);
      size += info.size;
    }
    const previous = await store.images.get(configDigest);
    const record: ImageRecord = {
      id: configDigest,
      manifestDigest,
      manifestMediaType: manifest.mediaType,
      repoDigests: [...new Set([...(previous?.repoDigests ?? []), ...(image.repoDigests ?? [])])],
      layers,
      size,
      stored: previous?.stored ?? new Date().toISOString(),
      ...((image.parent ?? previous?.parent) && { parent: image.parent ?? previous?.parent }),
    };
    await store.images.put(record);
    if (tagRefs.length > 0) {
      const tags = await store.images.tags();
      for (const t of tagRefs) tags[t] = record.id;
      await store.images.saveTags(tags);
    }
    return record;
  });
}
