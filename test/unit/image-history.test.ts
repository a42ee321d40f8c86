import { describe, expect, it } from 'vitest';
import type { Digest } from '../../src/core/oci/digest.js';
import type { ImageConfig } from '../../src/core/images/image-config.js';
import { imageHistory } from '../../src/core/images/image-history.js';
import type { ImageRecord } from '../../src/core/images/image-record.js';

// Reference: `docker history` lists the config's history newest first; entries marked
// empty_layer have SIZE 0B; the non-empty entries match the layers in order; only the top
// row carries the image ID, the rows below it show <missing> for pulled images.

const dg = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const IMAGE_ID = dg('f');

function record(layerCount: number): ImageRecord {
  return {
    id: IMAGE_ID,
    manifestDigest: dg('e'),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    repoDigests: [`registry.example/app@${dg('e')}`],
    layers: Array.from({ length: layerCount }, (_, i) => ({
      blobDigest: dg(String(i + 1)),
      blobSize: 100 + i,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      diffId: dg(String.fromCharCode(97 + i)),
    })),
    size: 0,
    stored: '2024-06-15T12:00:00Z',
  };
}

function config(history: ImageConfig['history'], layerCount: number): ImageConfig {
  return {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: Array.from({ length: layerCount }, (_, i) => dg(String.fromCharCode(97 + i))) },
    ...(history !== undefined && { history }),
  };
}

describe('imageHistory', () => {
  // Shaped like a typical Dockerfile build: ADD rootfs, CMD, RUN, ENV, COPY, EXPOSE.
  const history = [
    { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created: '2024-01-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
    { created: '2024-01-02T00:00:00Z', created_by: 'RUN /bin/sh -c apk add --no-cache curl # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created: '2024-01-02T00:00:01Z', created_by: 'ENV APP_HOME=/app', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    { created: '2024-01-02T00:00:02Z', created_by: 'COPY . /app # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created: '2024-01-02T00:00:03Z', created_by: 'EXPOSE map[8080/tcp:{}]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
  ];
  const sizes = [7_797_760, 2_048_000, 12_345];

  it('lists entries newest first', () => {
    const rows = imageHistory(record(3), config(history, 3), sizes);
    expect(rows.map((r) => r.createdBy)).toEqual([
      'EXPOSE map[8080/tcp:{}]',
      'COPY . /app # buildkit',
      'ENV APP_HOME=/app',
      'RUN /bin/sh -c apk add --no-cache curl # buildkit',
      '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
      '/bin/sh -c #(nop) ADD file:abc in / ',
    ]);
    expect(rows.map((r) => r.created)).toEqual([
      '2024-01-02T00:00:03Z',
      '2024-01-02T00:00:02Z',
      '2024-01-02T00:00:01Z',
      '2024-01-02T00:00:00Z',
      '2024-01-01T00:00:01Z',
      '2024-01-01T00:00:00Z',
    ]);
  });

  it('gives empty_layer entries size 0 and matches the layer sizes to the others in order', () => {
    const rows = imageHistory(record(3), config(history, 3), sizes);
    expect(rows.map((r) => r.size)).toEqual([0, 12_345, 0, 2_048_000, 0, 7_797_760]);
  });

  it('puts the image ID on the top row only, <missing> below', () => {
    const rows = imageHistory(record(3), config(history, 3), sizes);
    expect(rows.map((r) => r.id)).toEqual([IMAGE_ID, '<missing>', '<missing>', '<missing>', '<missing>', '<missing>']);
  });

  it('carries comments, empty when the entry has none', () => {
    const rows = imageHistory(record(3), config(history, 3), sizes);
    expect(rows.map((r) => r.comment)).toEqual([
      'buildkit.dockerfile.v0',
      'buildkit.dockerfile.v0',
      'buildkit.dockerfile.v0',
      'buildkit.dockerfile.v0',
      '',
      '',
    ]);
  });

  it('treats empty_layer: false like an absent flag', () => {
    const rows = imageHistory(
      record(2),
      config(
        [
          { created_by: 'a', empty_layer: false },
          { created_by: 'b' },
        ],
        2,
      ),
      [10, 20],
    );
    expect(rows.map((r) => [r.createdBy, r.size])).toEqual([
      ['b', 20],
      ['a', 10],
    ]);
  });

  it('shows size 0 when fewer layer sizes are known than non-empty entries', () => {
    const rows = imageHistory(record(2), config([{ created_by: 'a' }, { created_by: 'b' }], 2), [10]);
    expect(rows.map((r) => r.size)).toEqual([0, 10]);
  });

  it('makes one row per layer, newest first, when the config has no history', () => {
    const rows = imageHistory(record(3), config(undefined, 3), [111, 222, 333]);
    expect(rows).toEqual([
      { id: IMAGE_ID, created: undefined, createdBy: '', size: 333, comment: '' },
      { id: '<missing>', created: undefined, createdBy: '', size: 222, comment: '' },
      { id: '<missing>', created: undefined, createdBy: '', size: 111, comment: '' },
    ]);
  });

  it('treats an empty history list like a missing one', () => {
    const rows = imageHistory(record(1), config([], 1), [5]);
    expect(rows).toEqual([{ id: IMAGE_ID, created: undefined, createdBy: '', size: 5, comment: '' }]);
  });

  it('returns no rows for an image with neither history nor layers', () => {
    expect(imageHistory(record(0), config(undefined, 0), [])).toEqual([]);
  });
});
