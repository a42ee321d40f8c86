import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, type Digest } from '../oci/digest.js';
import type { ImageRecord } from './image-record.js';
import { familiarTag, repositoryOf, resolveImage, tagsOf } from './image-resolver.js';
import type { Store } from './store.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class ImageConflictError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

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
    const hasChildren = (await store.images.list()).some((i) => i.parent === image.id);
    if (hasChildren && byId && !(opts.force && imageTags.length > 0)) {
      throw new ImageConflictError(`conflict: unable to delete ${image.id.slice(7, 19)} (cannot be forced) - image has dependent child images`);
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
    // Images built or committed on this one need it: only the tag goes (Docker's quiet conflict).
    if (hasChildren) return out;
    for (const d of image.repoDigests) out.push({ untagged: familiarTag(d) });
    out.push(...(await deleteImage(store, image)));
    out.push(...(await pruneParents(store, image, opts.containersUsing)));
    return out;
  });
}

/**
 * After an image is deleted, its parents that only existed for it go too (build's
 * intermediate images): each untagged parent that no other image and no container uses,
 * up the chain until one is still needed. Caller holds the lock.
 */
export async function pruneParents(store: Store, image: ImageRecord, containersUsing?: (id: Digest) => Promise<string[]>): Promise<RemovalEntry[]> {
  const out: RemovalEntry[] = [];
  let parentId = image.parent;
  while (parentId) {
    const parent = await store.images.get(parentId);
    if (!parent) break;
    const tags = await store.images.tags();
    if (tagsOf(tags, parent.id).length > 0 || parent.repoDigests.length > 0) break;
    if ((await store.images.list()).some((i) => i.parent === parent.id)) break;
    if (((await containersUsing?.(parent.id)) ?? []).length > 0) break;
    out.push(...(await deleteImage(store, parent)));
    parentId = parent.parent;
  }
  return out;
}

/** Untagged images with children: build's intermediate images, hidden by `images` without -a. */
export function intermediateImageIds(images: ImageRecord[], tags: Record<string, Digest>): Set<Digest> {
  const tagged = new Set(Object.values(tags));
  const parents = new Set(images.map((i) => i.parent).filter((p): p is Digest => p !== undefined));
  return new Set(images.filter((i) => parents.has(i.id) && !tagged.has(i.id) && i.repoDigests.length === 0).map((i) => i.id));
}

/** Layers and blobs some image refers to (the index a pull named included). */
function referenced(images: ImageRecord[]): { layers: Set<Digest>; blobs: Set<Digest> } {
  return {
    layers: new Set(images.flatMap((o) => o.layers.map((l) => l.diffId))),
    blobs: new Set(images.flatMap((o) => [o.id, o.manifestDigest, ...o.layers.map((l) => l.blobDigest), ...o.repoDigests.map(digestOfRepoDigest)])),
  };
}

/** Layers that lose their last image within this long are still someone's work in progress. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Layers and blobs no image refers to: what a pull, load or build killed before it wrote its
 * image leaves behind when it is never retried. Only those untouched for `graceMs` go, so the
 * layers of a pull still running in another process are left alone. Caller holds the lock.
 */
export async function removeOrphans(store: Store, graceMs = ORPHAN_GRACE_MS, now = Date.now()): Promise<{ entries: RemovalEntry[]; blobBytes: number }> {
  const keep = referenced(await store.images.list());
  // A file gone meanwhile counts as new: prune leaves it to the next run.
  const old = async (path: string) => (await stat(path).catch(() => undefined))?.mtimeMs ?? now;
  const entries: RemovalEntry[] = [];
  for (const diffId of await store.layers.list()) {
    // layer.json is written by tsdock when the layer is committed (the diff dir keeps the tar's mtime).
    if (keep.layers.has(diffId) || now - (await old(join(store.layers.dir, digestHex(diffId), 'layer.json'))) < graceMs) continue;
    const size = (await store.layers.info(diffId))?.size;
    await store.layers.delete(diffId);
    entries.push({ deleted: diffId, size });
  }
  let blobBytes = 0;
  for (const blob of await store.content.list()) {
    if (keep.blobs.has(blob) || now - (await old(store.content.path(blob))) < graceMs) continue;
    // Size is only reported: a blob gone meanwhile counts as 0 bytes.
    blobBytes += await store.content.size(blob).catch(() => 0);
    await store.content.delete(blob);
  }
  return { entries, blobBytes };
}

/** Deletes the record, then the layers and blobs no remaining image shares. Caller holds the lock. */
export async function deleteImage(store: Store, image: ImageRecord): Promise<RemovalEntry[]> {
  await store.images.delete(image.id);
  const { layers: keepLayers, blobs: keepBlobs } = referenced(await store.images.list());
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
