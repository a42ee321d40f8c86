import { describe, expect, it } from 'vitest';
import {
  ArchiveError,
  archiveLinkTarget,
  archivePath,
  archiveTag,
  compressionOf,
  digestInName,
  dockerArchiveManifest,
  dockerRepositories,
  ociEntryName,
  ociIndex,
  parseDockerArchiveManifest,
  parseOciIndex,
} from '../../src/core/images/image-archive.js';
import { MediaType } from '../../src/core/oci/media-types.js';
import type { Digest } from '../../src/core/oci/digest.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;

describe('docker-archive manifest.json and repositories', () => {
  it('writes Docker\'s fields, tags in short form, null RepoTags for an untagged image', () => {
    const bytes = dockerArchiveManifest([
      { config: 'aa.json', tags: ['docker.io/library/busybox:latest', '127.0.0.1:5000/team/app:v1'], layers: ['l1/layer.tar', 'l2/layer.tar'] },
      { config: 'bb.json', tags: [], layers: [] },
    ]);
    expect(JSON.parse(bytes.toString())).toEqual([
      { Config: 'aa.json', RepoTags: ['busybox:latest', '127.0.0.1:5000/team/app:v1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] },
      { Config: 'bb.json', RepoTags: null, Layers: [] },
    ]);
  });

  it('maps repository -> tag -> top layer in `repositories`', () => {
    const bytes = dockerRepositories([{ tags: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36', 'reg:5000/x:y'], topLayer: 'top' }]);
    expect(JSON.parse(bytes.toString())).toEqual({ busybox: { latest: 'top', '1.36': 'top' }, 'reg:5000/x': { y: 'top' } });
  });

  it('reads back what it writes, and what podman writes', () => {
    const podman = Buffer.from('[{"Config":"c.json","RepoTags":["127.0.0.1:1/layered:v1"],"Layers":["ab.tar"]}]');
    expect(parseDockerArchiveManifest(podman)).toEqual([{ Config: 'c.json', RepoTags: ['127.0.0.1:1/layered:v1'], Layers: ['ab.tar'] }]);
    const ours = dockerArchiveManifest([{ config: 'c.json', tags: [], layers: ['x/layer.tar'] }]);
    expect(parseDockerArchiveManifest(ours)).toEqual([{ Config: 'c.json', RepoTags: null, Layers: ['x/layer.tar'] }]);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /lists no images/],
    ['{"Config":"x"}', /lists no images/],
    ['[{"Config":1,"Layers":[]}]', /entry 1 .* is malformed/],
    ['[{"Config":"c","Layers":[1]}]', /malformed/],
    ['[{"Config":"c","Layers":[],"RepoTags":"x"}]', /malformed/],
  ])('refuses %s', (text, message) => {
    expect(() => parseDockerArchiveManifest(Buffer.from(text))).toThrow(message);
  });
});

describe('OCI index.json', () => {
  const manifest = { mediaType: MediaType.ociManifest, digest: d('a'), size: 10 };

  it('writes one entry per name with both name annotations, a bare one for an untagged image', () => {
    const doc = JSON.parse(ociIndex([{ manifest, tags: ['docker.io/library/busybox:latest', 'reg:5000/x:1'] }, { manifest: { ...manifest, digest: d('b') }, tags: [] }]).toString());
    expect(doc.mediaType).toBe(MediaType.ociIndex);
    expect(doc.manifests).toEqual([
      { ...manifest, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'docker.io/library/busybox:latest' } },
      { ...manifest, annotations: { 'io.containerd.image.name': 'reg:5000/x:1', 'org.opencontainers.image.ref.name': 'reg:5000/x:1' } },
      { ...manifest, digest: d('b') },
    ]);
    expect(parseOciIndex(ociIndex([{ manifest, tags: ['a/b:c'] }]))[0]!.annotations).toBeDefined();
  });

  it('refuses an index without images or that is not an index', () => {
    expect(() => parseOciIndex(Buffer.from('{"schemaVersion":2,"manifests":[]}'))).toThrow(/lists no images/);
    expect(() => parseOciIndex(Buffer.from('nope'))).toThrow(ArchiveError);
  });

  it('names images from the annotations: a full ref.name (podman, tsdock), else containerd\'s name (docker), else none', () => {
    expect(ociEntryName({ 'org.opencontainers.image.ref.name': '127.0.0.1:5000/layered:v1' })).toBe('127.0.0.1:5000/layered:v1');
    expect(ociEntryName({ 'org.opencontainers.image.ref.name': 'busybox:1.36' })).toBe('docker.io/library/busybox:1.36');
    expect(ociEntryName({ 'org.opencontainers.image.ref.name': 'latest', 'io.containerd.image.name': 'docker.io/library/alpine:3.20' })).toBe('docker.io/library/alpine:3.20');
    expect(ociEntryName({ 'org.opencontainers.image.ref.name': 'latest' })).toBeUndefined();
    expect(ociEntryName(undefined)).toBeUndefined();
  });
});

describe('archiveTag', () => {
  it('normalizes names and refuses what is not a tag', () => {
    expect(archiveTag('busybox')).toBe('docker.io/library/busybox:latest');
    expect(() => archiveTag('Busybox:1')).toThrow(/not a valid tag/);
    expect(() => archiveTag(`busybox@${d('c')}`)).toThrow(/not a valid tag/);
  });
});

describe('archive paths', () => {
  it('normalizes ./ and repeated slashes', () => {
    expect(archivePath('./blobs//sha256/./ab')).toBe('blobs/sha256/ab');
  });

  it('refuses absolute paths and ..', () => {
    expect(() => archivePath('/etc/passwd')).toThrow(/absolute path/);
    expect(() => archivePath('a/../../b')).toThrow(/".."/);
  });

  it('resolves symlinks relative to their directory and hardlinks from the root, inside the archive only', () => {
    expect(archiveLinkTarget('f7ba/layer.tar', '../b3eb.tar', 'symlink')).toBe('b3eb.tar');
    expect(archiveLinkTarget('x/y/layer.tar', 'z.tar', 'symlink')).toBe('x/y/z.tar');
    expect(archiveLinkTarget('x/layer.tar', 'b3eb.tar', 'hardlink')).toBe('b3eb.tar');
    expect(() => archiveLinkTarget('x/layer.tar', '../../etc/shadow', 'symlink')).toThrow(/outside the archive/);
    expect(() => archiveLinkTarget('x/layer.tar', '/etc/shadow', 'symlink')).toThrow(/absolute path/);
  });

  it('finds the digest a file name claims', () => {
    expect(digestInName(`${'a'.repeat(64)}.json`)).toBe(d('a'));
    expect(digestInName(`blobs/sha256/${'b'.repeat(64)}`)).toBe(d('b'));
    expect(digestInName(`${'c'.repeat(64)}/layer.tar`)).toBeUndefined();
    expect(digestInName('manifest.json')).toBeUndefined();
  });
});

describe('compressionOf', () => {
  it('tells gzip, zstd and plain tars apart by their magic bytes', () => {
    expect(compressionOf(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(compressionOf(Buffer.from('bin/\0\0\0\0'))).toBe('none');
    expect(compressionOf(Buffer.alloc(0))).toBe('none');
  });
});
