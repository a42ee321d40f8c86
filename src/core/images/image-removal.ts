import type { Digest } from './digest.js';
import type { ImageRecord } from './image-record.js';
import { familiarTag, repositoryOf, resolveImage, tagsOf } from './image-resolver.js';
import type { Store } from '../store/store.js';

export class ImageConflictError extends Error {}

/** What one removal did, in the order Docker prints it. */
export interface RemovalEntry {
  untagged?: string;
  deleted?: string;
  /** Bytes a deleted layer took unpacked. */
  size?: number;
}

export interface RemoveOptions {
  force?: boolean;
  /** Ids of containers using an image; the runtime provides it. */
  containersUsing?: (imageId: Digest) => Promise<string[]>;
}

/**
 * `rmi` semantics: naming a tag untags it and deletes the image only when no tag is left;
 * naming an ID deletes the image (refused when tags span repositories, unless forced).
 * Layers and blobs go only when no other image uses them.
 */
export async function removeImage(store: Store, query: string, opts: RemoveOptions = {}): Promise<RemovalEntry[]> {
  return store.lock.withLock(async () => {
    const { image, tag, byId } = await resolveImage(store.images, query);
    const tags = await store.images.tags();
    const imageTags = tagsOf(tags, image.id);
    const users = (await opts.containersUsing?.(image.id)) ?? [];
    const out: RemovalEntry[] = [];

    if (!byId && tag && imageTags.length > 1) {
      delete tags[tag];
      await store.images.saveTags(tags);
      return [{ untagged: familiarTag(tag) }];
    }
    if (users.length > 0 && !opts.force) {
      throw new ImageConflictError(
        `conflict: unable to ${byId ? `delete ${image.id.slice(7, 19)}` : `remove repository reference "${query}"`} (must force) - image is being used by container ${users[0]!.slice(0, 12)}`,
      );
    }
    if (byId && !opts.force && new Set(imageTags.map(repositoryOf)).size > 1) {
      throw new ImageConflictError(`conflict: unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const t of imageTags) {
      delete tags[t];
      out.push({ untagged: familiarTag(t) });
    }
    await store.images.saveTags(tags);
    if (users.length > 0) return out; // forced untag of an image in use: Docker keeps the image itself.
    for (const d of image.repoDigests) out.push({ untagged: familiarTag(d) });
    out.push(...(await deleteImage(store, image)));
    return out;
  });
}

/** Deletes the record, then the layers and blobs no remaining image shares. Caller holds the lock. */
export async function deleteImage(store: Store, image: ImageRecord): Promise<RemovalEntry[]> {
  await store.images.delete(image.id);
  const others = await store.images.list();
  const keepLayers = new Set(others.flatMap((o) => o.layers.map((l) => l.diffId)));
  const keepBlobs = new Set(others.flatMap((o) => [o.id, o.manifestDigest, ...o.layers.map((l) => l.blobDigest), ...o.repoDigests.map(digestOfRepoDigest)]));
  const out: RemovalEntry[] = [{ deleted: image.id }];
  for (const layer of [...image.layers].reverse()) {
    if (keepLayers.has(layer.diffId)) continue;
    keepLayers.add(layer.diffId); // an image may list one layer twice
    const size = (await store.layers.info(layer.diffId))?.size;
    await store.layers.delete(layer.diffId);
    out.push({ deleted: layer.diffId, size });
  }
  const mine = [image.id, image.manifestDigest, ...image.layers.map((l) => l.blobDigest), ...image.repoDigests.map(digestOfRepoDigest)];
  for (const blob of new Set(mine)) if (!keepBlobs.has(blob)) await store.content.delete(blob);
  return out;
}

function digestOfRepoDigest(repoDigest: string): Digest {
  return repoDigest.slice(repoDigest.lastIndexOf('@') + 1) as Digest;
}
