import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, type ImageIndex, type ImageManifest } from '../../src/core/oci/manifest.js';
import { MANIFEST_ACCEPT, MediaType, layerCompression } from '../../src/core/oci/media-types.js';

// Reference: OCI image-spec (manifest.md, image-index.md, descriptor.md) and Docker's
// image manifest v2 schema 2 / manifest list.

const d = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));
const WHERE = 'registry.example/app:1.0';

const ociManifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('1'), size: 1470 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 3623807 },
    {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      digest: d('3'),
      size: 1024,
      annotations: { 'org.opencontainers.image.title': 'extra' },
    },
  ],
};

describe('parseManifest: image manifests', () => {
  it('reads an OCI manifest that names its media type', () => {
    const m = parseManifest(bytes(ociManifest), 'application/vnd.oci.image.manifest.v1+json', WHERE) as ImageManifest;
    expect(m.kind).toBe('manifest');
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('1'), size: 1470 });
    expect(m.layers).toEqual([
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 3623807 },
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
        digest: d('3'),
        size: 1024,
        annotations: { 'org.opencontainers.image.title': 'extra' },
      },
    ]);
  });

  it('takes the media type from the document even when the header disagrees', () => {
    const m = parseManifest(bytes(ociManifest), 'application/octet-stream', WHERE);
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('reads a manifest without a mediaType field (umoci) using Content-Type, parameters stripped', () => {
    const { mediaType: _omit, ...umoci } = ociManifest;
    const m = parseManifest(bytes(umoci), 'application/vnd.oci.image.manifest.v1+json; charset=utf-8', WHERE) as ImageManifest;
    expect(m.kind).toBe('manifest');
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.layers.map((l) => l.digest)).toEqual([d('2'), d('3')]);
  });

  it('defaults to the OCI manifest type when neither document nor header says', () => {
    const { mediaType: _omit, ...bare } = ociManifest;
    const m = parseManifest(bytes(bare), undefined, WHERE);
    expect(m.kind).toBe('manifest');
    expect(m.mediaType).toBe(MediaType.ociManifest);
  });

  it('reads a Docker schema 2 manifest', () => {
    const docker = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: d('a') },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: d('b') },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 16724, digest: d('c') },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 73109, digest: d('e') },
      ],
    };
    const m = parseManifest(bytes(docker), 'application/vnd.docker.distribution.manifest.v2+json', WHERE) as ImageManifest;
    expect(m.kind).toBe('manifest');
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(m.config.digest).toBe(d('a'));
    expect(m.config.size).toBe(7023);
    expect(m.layers.map((l) => [l.digest, l.size])).toEqual([
      [d('b'), 32654],
      [d('c'), 16724],
      [d('e'), 73109],
    ]);
  });

  it('keeps foreign-layer URLs', () => {
    const doc = {
      ...ociManifest,
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: d('f'),
          size: 10,
          urls: ['https://mcr.microsoft.com/v2/layer'],
        },
      ],
    };
    const m = parseManifest(bytes(doc), undefined, WHERE) as ImageManifest;
    expect(m.layers[0]!.urls).toEqual(['https://mcr.microsoft.com/v2/layer']);
  });
});

describe('parseManifest: indexes', () => {
  const ociIndex = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: d('4'),
        size: 7143,
        platform: { architecture: 'amd64', os: 'linux' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: d('5'),
        size: 7682,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: d('6'),
        size: 566,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d('4') },
      },
    ],
  };

  it('reads an OCI index with platforms (variant only where given) and annotations', () => {
    const m = parseManifest(bytes(ociIndex), 'application/vnd.oci.image.index.v1+json', WHERE) as ImageIndex;
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(m.manifests).toHaveLength(3);
    expect(m.manifests[0]).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: d('4'),
      size: 7143,
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(m.manifests[1]!.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(m.manifests[2]!.annotations).toEqual({
      'vnd.docker.reference.type': 'attestation-manifest',
      'vnd.docker.reference.digest': d('4'),
    });
  });

  it('reads a Docker manifest list', () => {
    const list = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: d('7'),
          size: 528,
          platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
        },
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: d('8'),
          size: 528,
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    };
    const m = parseManifest(bytes(list), 'application/vnd.docker.distribution.manifest.list.v2+json', WHERE) as ImageIndex;
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(m.manifests.map((x) => [x.digest, x.platform])).toEqual([
      [d('7'), { os: 'linux', architecture: 'arm', variant: 'v7' }],
      [d('8'), { os: 'linux', architecture: 'amd64' }],
    ]);
  });

  it('recognises an index without mediaType from its Content-Type', () => {
    const { mediaType: _omit, ...bare } = ociIndex;
    const m = parseManifest(bytes(bare), 'application/vnd.oci.image.index.v1+json;charset=utf-8', WHERE);
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('recognises an index from its manifests list when nothing names the type', () => {
    const { mediaType: _omit, ...bare } = ociIndex;
    const m = parseManifest(bytes(bare), undefined, WHERE);
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe(MediaType.ociIndex);
  });

  it('refuses an index media type whose document has no manifests list', () => {
    expect(() => parseManifest(bytes({ schemaVersion: 2, mediaType: MediaType.ociIndex }), undefined, WHERE)).toThrow(
      /has no manifests list/,
    );
  });
});

describe('parseManifest: refusals', () => {
  const schema1 = {
    schemaVersion: 1,
    name: 'library/hello',
    tag: 'latest',
    architecture: 'amd64',
    fsLayers: [{ blobSum: d('9') }],
    history: [{ v1Compatibility: '{}' }],
  };

  it('refuses a signed schema 1 manifest with a message that says so', () => {
    const act = () => parseManifest(bytes(schema1), 'application/vnd.docker.distribution.manifest.v1+prettyjws', WHERE);
    expect(act).toThrow(ManifestError);
    expect(act).toThrow(`${WHERE} uses the deprecated Docker schema 1 manifest format`);
  });

  it('refuses schema 1 recognised from schemaVersion alone', () => {
    expect(() => parseManifest(bytes(schema1), 'application/json', WHERE)).toThrow(/deprecated Docker schema 1/);
  });

  it('refuses schema 1 recognised from the unsigned media type', () => {
    expect(() => parseManifest(bytes({ schemaVersion: 2 }), 'application/vnd.docker.distribution.manifest.v1+json', WHERE)).toThrow(
      /schema 1/,
    );
  });

  it('refuses a descriptor without a size', () => {
    const bad = { ...ociManifest, layers: [{ mediaType: MediaType.ociLayerGzip, digest: d('2') }] };
    const act = () => parseManifest(bytes(bad), undefined, WHERE);
    expect(act).toThrow(ManifestError);
    expect(act).toThrow(`manifest for ${WHERE} has a malformed descriptor`);
  });

  it('refuses a descriptor with a non-string digest or a missing media type', () => {
    const badDigest = { ...ociManifest, config: { mediaType: MediaType.ociConfig, digest: 42, size: 1 } };
    expect(() => parseManifest(bytes(badDigest), undefined, WHERE)).toThrow(/malformed descriptor/);
    const noType = { ...ociManifest, config: { digest: d('1'), size: 1 } };
    expect(() => parseManifest(bytes(noType), undefined, WHERE)).toThrow(/malformed descriptor/);
  });

  it('refuses a malformed entry in an index', () => {
    const bad = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [null] };
    expect(() => parseManifest(bytes(bad), undefined, WHERE)).toThrow(/malformed descriptor/);
  });

  it('refuses a descriptor whose digest is not sha256:<64 hex>', () => {
    const bad = { ...ociManifest, config: { mediaType: MediaType.ociConfig, digest: 'sha256:abc', size: 1 } };
    expect(() => parseManifest(bytes(bad), undefined, WHERE)).toThrow(/invalid digest "sha256:abc"/);
  });

  it('refuses bytes that are not JSON, naming the image', () => {
    const act = () => parseManifest(Buffer.from('<html>502 Bad Gateway</html>'), 'text/html', WHERE);
    expect(act).toThrow(ManifestError);
    expect(act).toThrow(`manifest for ${WHERE} is not valid JSON`);
  });

  it('refuses JSON that is not an object', () => {
    for (const text of ['null', '42', '"x"', '[]']) {
      expect(() => parseManifest(Buffer.from(text), MediaType.ociManifest, WHERE)).toThrow(ManifestError);
    }
  });

  it('refuses a document that is neither manifest nor index', () => {
    const act = () => parseManifest(bytes({ schemaVersion: 2, mediaType: 'application/vnd.example+json' }), undefined, WHERE);
    expect(act).toThrow(ManifestError);
    expect(act).toThrow('unsupported manifest media type "application/vnd.example+json"');
  });
});

describe('layerCompression', () => {
  it.each<[string, 'gzip' | 'zstd' | 'none']>([
    ['application/vnd.oci.image.layer.v1.tar', 'none'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
  ])('%s -> %s', (mediaType, expected) => {
    expect(layerCompression(mediaType)).toBe(expected);
  });

  it('covers every layer type in the MediaType table', () => {
    const layerTypes = Object.entries(MediaType).filter(([k]) => /Layer/.test(k)).map(([, v]) => v);
    expect(layerTypes).toHaveLength(7);
    for (const t of layerTypes) expect(layerCompression(t)).toBeDefined();
  });

  it('reads Docker schema2 uncompressed layers (docker save archives) as plain tar', () => {
    expect(layerCompression(MediaType.dockerLayer)).toBe('none');
  });

  it('other non-distributable OCI layer variants', () => {
    expect(layerCompression('application/vnd.oci.image.layer.nondistributable.v1.tar')).toBe('none');
    expect(layerCompression('application/vnd.oci.image.layer.nondistributable.v1.tar+zstd')).toBe('zstd');
  });

  it('is undefined for types that are not layers', () => {
    expect(layerCompression(MediaType.ociConfig)).toBeUndefined();
    expect(layerCompression(MediaType.dockerConfig)).toBeUndefined();
    expect(layerCompression(MediaType.ociManifest)).toBeUndefined();
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar+bzip2')).toBeUndefined();
    expect(layerCompression('application/octet-stream')).toBeUndefined();
  });
});

describe('MANIFEST_ACCEPT', () => {
  it('offers indexes first, then single manifests, and never schema 1', () => {
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]);
  });
});
