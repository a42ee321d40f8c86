import { MediaType } from './media-types.js';
import { parseDigest, type Digest } from './digest.js';
import type { Platform } from './platform.js';
import { TsdockError } from '../errors.js';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

/** A manifest or index that does not parse or break the spec: the document itself is wrong. */
export class ManifestError extends TsdockError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/**
 * Parses manifest bytes. The media type comes from the document when present, else from the
 * Content-Type header (umoci-built manifests carry no mediaType field).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, where: string): Manifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ManifestError(`manifest for ${where} is not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ManifestError(`manifest for ${where} is not a JSON object`);
  const mediaType = (typeof doc.mediaType === 'string' && doc.mediaType) || stripParams(contentType) || '';
  if (mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new ManifestError(`${where} uses the deprecated Docker schema 1 manifest format, which tsdock does not support; push the image again with a current tool`);
  }
  if (Array.isArray(doc.manifests) || mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList) {
    if (!Array.isArray(doc.manifests)) throw new ManifestError(`index for ${where} has no manifests list`);
    return { kind: 'index', mediaType: mediaType || MediaType.ociIndex, manifests: doc.manifests.map((d) => descriptor(d, where)) };
  }
  if (doc.config && Array.isArray(doc.layers)) {
    return {
      kind: 'manifest',
      mediaType: mediaType || MediaType.ociManifest,
      config: descriptor(doc.config, where),
      layers: doc.layers.map((d) => descriptor(d, where)),
    };
  }
  throw new ManifestError(`unsupported manifest media type "${mediaType}" for ${where}`);
}

function descriptor(raw: unknown, where: string): Descriptor {
  const d = raw as Record<string, unknown>;
  if (!d || typeof d.digest !== 'string' || typeof d.size !== 'number' || typeof d.mediaType !== 'string') {
    throw new ManifestError(`manifest for ${where} has a malformed descriptor: ${JSON.stringify(raw)}`);
  }
  const p = d.platform as Record<string, string> | undefined;
  return {
    mediaType: d.mediaType,
    digest: parseDigest(d.digest),
    size: d.size,
    ...(p && { platform: { os: p.os, architecture: p.architecture, ...(p.variant && { variant: p.variant }) } }),
    ...(d.annotations ? { annotations: d.annotations as Record<string, string> } : {}),
    ...(Array.isArray(d.urls) ? { urls: d.urls as string[] } : {}),
  };
}

function stripParams(ct: string | undefined): string | undefined {
  return ct?.split(';')[0]?.trim() || undefined;
}
