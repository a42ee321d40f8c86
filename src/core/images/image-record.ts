import type { Digest } from '../oci/digest.js';

/** One unpacked layer of an image: where it came from and what it unpacks to. */
export interface ImageLayer {
  /** Digest of the (compressed) blob as the manifest names it. */
  blobDigest: Digest;
  blobSize: number;
  mediaType: string;
  /** Digest of the uncompressed tar: the layer's identity in the layer store. */
  diffId: Digest;
}

/**
 * An image as stored locally: keyed by its config digest (the image ID, as Docker does).
 * Tags live apart, in the tag map, so re-tagging never rewrites this record.
 */
export interface ImageRecord {
  id: Digest;
  /** Manifest the image was pulled as (by digest), and its media type. */
  manifestDigest: Digest;
  manifestMediaType: string;
  /** Repository names the image was pulled from, for RepoDigests (`name@manifestDigest`). */
  repoDigests: string[];
  layers: ImageLayer[];
  /** Uncompressed size of all layers, in bytes. */
  size: number;
  /** When tsdock stored it. */
  stored: string;
  /**
   * The image this one was made from by commit or build (Docker's Parent). Build's
   * intermediate images are found through it: an untagged image with children is hidden
   * from `images` and kept by `rmi`/`prune` until its children are gone.
   */
  parent?: Digest;
}
