import { describe, expect, it } from 'vitest';
import { buildManifest, layerMediaType } from '../../src/core/images/image-writer.js';
import { parseManifest } from '../../src/core/oci/manifest.js';
import { MediaType } from '../../src/core/oci/media-types.js';
import type { ImageLayer } from '../../src/core/images/image-record.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as const;

describe('layerMediaType', () => {
  it('keeps the compression and switches the family', () => {
    expect(layerMediaType('docker', MediaType.ociLayerGzip)).toBe(MediaType.dockerLayerGzip);
    expect(layerMediaType('oci', MediaType.dockerLayerGzip)).toBe(MediaType.ociLayerGzip);
    expect(layerMediaType('docker', MediaType.ociLayer)).toBe(MediaType.dockerLayer);
    expect(layerMediaType('oci', MediaType.dockerLayer)).toBe(MediaType.ociLayer);
  });
});

describe('buildManifest', () => {
  const layers: ImageLayer[] = [
    { blobDigest: d('a'), blobSize: 10, mediaType: MediaType.dockerLayerGzip, diffId: d('b') },
    { blobDigest: d('c'), blobSize: 20, mediaType: MediaType.dockerLayer, diffId: d('d') },
  ];

  it('writes a schema2 manifest that the manifest parser reads back', () => {
    const m = buildManifest('docker', { digest: d('e'), size: 99 }, layers);
    expect(m.mediaType).toBe(MediaType.dockerManifest);
    const parsed = parseManifest(m.bytes, undefined, 'test');
    expect(parsed.kind).toBe('manifest');
    if (parsed.kind !== 'manifest') return;
    expect(parsed.config).toEqual({ mediaType: MediaType.dockerConfig, digest: d('e'), size: 99 });
    expect(parsed.layers.map((l) => [l.digest, l.size, l.mediaType])).toEqual([
      [d('a'), 10, MediaType.dockerLayerGzip],
      [d('c'), 20, MediaType.dockerLayer],
    ]);
    expect(m.bytes.toString()).not.toMatch(/\s/);
  });

  it('writes OCI media types for the oci format', () => {
    const m = buildManifest('oci', { digest: d('e'), size: 99 }, layers);
    const doc = JSON.parse(m.bytes.toString());
    expect(doc.mediaType).toBe(MediaType.ociManifest);
    expect(doc.config.mediaType).toBe(MediaType.ociConfig);
    expect(doc.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([MediaType.ociLayerGzip, MediaType.ociLayer]);
  });
});
