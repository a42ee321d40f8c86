import type { Digest } from '../oci/digest.js';
import type { ImageRecord } from './image-record.js';
import type { ImageStore, TagMap } from './image-store.js';
import { familiarName, formatReference, parseReference, type ImageReference } from '../oci/reference.js';
import { TsdockError } from '../errors.js';

export class ImageNotFoundError extends TsdockError {
  constructor(readonly query: string) {
    super('not-found', `No such image: ${query}`);
  }
}

export class AmbiguousImageError extends TsdockError {
  constructor(query: string, candidates: string[]) {
    super('invalid-argument', `image ID prefix "${query}" is ambiguous; it matches ${candidates.map((c) => c.slice(7, 19)).join(', ')}: give more characters`);
  }
}

export interface ResolvedImage {
  image: ImageRecord;
  /** The tag the query named (`docker.io/library/busybox:latest`), when it named one. */
  tag?: string;
  /** The query named the image by ID or digest rather than by a tag. */
  byId: boolean;
}

/**
 * Finds an image the way Docker does: a reference (name[:tag] or name@digest) first, then an
 * image ID or a unique prefix of one.
 */
export async function resolveImage(images: ImageStore, query: string): Promise<ResolvedImage> {
  const tags = await images.tags();
  const ref = tryParse(query);
  if (ref) {
    if (ref.digest) {
      const name = formatReference({ domain: ref.domain, path: ref.path });
      const hit = (await images.list()).find((i) => i.repoDigests.includes(`${name}@${ref.digest}`));
      if (hit) return { image: hit, byId: true };
    } else {
      const key = formatReference(ref);
      const id = tags[key];
      if (id) {
        const image = await images.get(id);
        if (image) return { image, tag: key, byId: false };
      }
    }
  }
  const hex = query.replace(/^sha256:/, '');
  if (/^[a-f0-9]{1,64}$/.test(hex)) {
    const matches = (await images.list()).filter((i) => i.id.slice(7).startsWith(hex));
    if (matches.length === 1) return { image: matches[0]!, byId: true };
    if (matches.length > 1) throw new AmbiguousImageError(query, matches.map((m) => m.id));
  }
  throw new ImageNotFoundError(query);
}

function tryParse(query: string): ImageReference | undefined {
  try {
    return parseReference(query);
  } catch {
    // Not a reference (an ID prefix, say): resolved by the other ways.
    return undefined;
  }
}

/** Tags pointing at an image, as full references. */
export function tagsOf(tags: TagMap, id: Digest): string[] {
  return Object.entries(tags)
    .filter(([, v]) => v === id)
    .map(([k]) => k)
    .sort();
}

/** `docker.io/library/busybox:latest` -> `busybox:latest`, as Docker prints RepoTags. */
export function familiarTag(fullRef: string): string {
  const ref = parseReference(fullRef);
  return `${familiarName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Repository of a full reference, without tag or digest. */
export function repositoryOf(fullRef: string): string {
  const ref = parseReference(fullRef);
  return formatReference({ domain: ref.domain, path: ref.path });
}
