// The two image archive formats `save` writes and `load` reads, as pure data:
//   docker-archive  manifest.json [{Config, RepoTags, Layers}], `repositories`, <config hex>.json,
//                   <diffID hex>/layer.tar (uncompressed). podman and skopeo write <diffID hex>.tar
//                   plus symlinks; Docker 25+ writes blobs/sha256/<hex> paths. All are read.
//   oci-archive     an OCI image layout in a tar: oci-layout, index.json whose entries carry the
//                   image names in annotations, blobs/sha256/<hex>.
import { posix } from 'node:path';
import { parseDigest, type Digest } from '../oci/digest.js';
import { familiarTag } from './image-resolver.js';
import { formatReference, parseReference } from '../oci/reference.js';
import { MediaType } from '../oci/media-types.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export const OCI_REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';
export const OCI_LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

/** The archive is malformed, corrupt or malicious; the message says which part. */
export class ArchiveError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** manifest.json of a docker-archive. RepoTags are full references here, written in Docker's short form. */
export function dockerArchiveManifest(images: { config: string; tags: string[]; layers: string[] }[]): Buffer {
  const doc: DockerArchiveEntry[] = images.map((i) => ({ Config: i.config, RepoTags: i.tags.length > 0 ? i.tags.map(familiarTag) : null, Layers: i.layers }));
  return Buffer.from(JSON.stringify(doc));
}

/** The legacy `repositories` file: short repository name -> tag -> id of the top layer. */
export function dockerRepositories(images: { tags: string[]; topLayer: string }[]): Buffer {
  const repos: Record<string, Record<string, string>> = {};
  for (const image of images) {
    for (const t of image.tags) {
      const short = familiarTag(t);
      const at = short.lastIndexOf(':');
      (repos[short.slice(0, at)] ??= {})[short.slice(at + 1)] = image.topLayer;
    }
  }
  return Buffer.from(JSON.stringify(repos));
}

export function parseDockerArchiveManifest(bytes: Buffer): DockerArchiveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ArchiveError('manifest.json of the archive is not valid JSON');
  }
  if (!Array.isArray(doc) || doc.length === 0) throw new ArchiveError('manifest.json of the archive lists no images');
  return doc.map((raw, i) => {
    const e = raw as Partial<DockerArchiveEntry>;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
    if (typeof e?.Config !== 'string' || !strings(e.Layers) || (e.RepoTags != null && !strings(e.RepoTags))) {
      throw new ArchiveError(`entry ${i + 1} of the archive's manifest.json is malformed: it needs "Config", "Layers" and optionally "RepoTags"`);
    }
    return { Config: e.Config, Layers: e.Layers!, RepoTags: e.RepoTags ?? null };
  });
}

/** index.json of an OCI layout: one entry per image name (images without one get a bare entry). */
export function ociIndex(images: { manifest: { mediaType: string; digest: Digest; size: number }; tags: string[] }[]): Buffer {
  const manifests = images.flatMap(({ manifest, tags }) =>
    tags.length === 0 ? [manifest] : tags.map((t) => ({ ...manifest, annotations: { [CONTAINERD_IMAGE_NAME]: t, [OCI_REF_NAME]: t } })),
  );
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
}

export function parseOciIndex(bytes: Buffer): Descriptor[] {
  let parsed;
  try {
    parsed = parseManifest(bytes, MediaType.ociIndex, 'the archive (index.json)');
  } catch (err) {
    throw new ArchiveError((err as Error).message);
  }
  if (parsed.kind !== 'index') throw new ArchiveError('index.json of the archive is not an image index');
  if (parsed.manifests.length === 0) throw new ArchiveError('index.json of the archive lists no images');
  return parsed.manifests;
}

/**
 * The image name an OCI index entry carries, normalized. `ref.name` holds a full name when
 * podman/skopeo/tsdock wrote it; Docker and containerd put only the tag there and the name in
 * their own annotation. A bare tag without a name leaves the image untagged.
 */
export function ociEntryName(annotations: Record<string, string> | undefined): string | undefined {
  const ref = annotations?.[OCI_REF_NAME];
  const containerd = annotations?.[CONTAINERD_IMAGE_NAME];
  if (ref && /[/:]/.test(ref)) return archiveTag(ref);
  if (containerd) return archiveTag(containerd);
  return undefined;
}

/** A name from an archive, as a full reference; a malformed one is the archive's fault. */
export function archiveTag(name: string): string {
  try {
    const ref = parseReference(name);
    if (ref.digest) throw new TsdockError('invalid-argument', 'a digest is not a tag');
    return formatReference(ref);
  } catch (err) {
    throw new ArchiveError(`the archive names an image "${name}" that is not a valid tag: ${(err as Error).message}`);
  }
}

/**
 * An entry path inside an archive, normalized (`./a//b` -> `a/b`). Absolute paths and `..`
 * are refused: nothing in an archive may point outside it.
 */
export function archivePath(raw: string): string {
  if (raw.startsWith('/')) throw new ArchiveError(`the archive holds an absolute path "${raw}"; refusing to load it`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArchiveError(`the archive holds a path with ".." ("${raw}"); refusing to load it`);
  return parts.join('/');
}

/** Where a link entry points, as an archive path: symlinks relative to their directory, hardlinks to the root. */
export function archiveLinkTarget(entry: string, target: string, kind: 'symlink' | 'hardlink'): string {
  if (target.startsWith('/')) throw new ArchiveError(`the archive entry "${entry}" links to the absolute path "${target}"; refusing to load it`);
  const joined = posix.normalize(kind === 'symlink' ? posix.join(posix.dirname(entry), target) : target);
  if (joined === '..' || joined.startsWith('../')) throw new ArchiveError(`the archive entry "${entry}" links to "${target}", outside the archive; refusing to load it`);
  return archivePath(joined);
}

export function blobPathOf(digest: Digest): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** The digest a file name claims (`<hex>.json`, `blobs/sha256/<hex>`), if it claims one. */
export function digestInName(path: string): Digest | undefined {
  const m = /^(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(path);
  return m ? parseDigest(`sha256:${m[1]}`) : undefined;
}

/** How a layer file is compressed, from its first bytes (archives rarely say). */
export function compressionOf(head: Buffer): 'gzip' | 'zstd' | 'none' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}
