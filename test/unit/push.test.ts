import { describe, expect, it } from 'vitest';
import { mountSources } from '../../src/core/images/push.js';
import { parseReference } from '../../src/core/oci/reference.js';
import type { ImageRecord } from '../../src/core/images/image-record.js';

const id = `sha256:${'1'.repeat(64)}` as const;
const other = `sha256:${'2'.repeat(64)}` as const;
const m = `sha256:${'3'.repeat(64)}`;

const image = (repoDigests: string[]): ImageRecord => ({
  id,
  manifestDigest: id,
  manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  repoDigests,
  layers: [],
  size: 0,
  stored: '2024-01-01T00:00:00Z',
});

describe('mountSources', () => {
  const target = parseReference('reg:5000/team/new:v1');

  it('lists repositories of the same registry, repo digests before tags, without the target', () => {
    const img = image([`reg:5000/library/busybox@${m}`, `other:5000/x@${m}`]);
    const tags = { 'reg:5000/team/new:v1': id, 'reg:5000/team/local:1': id, 'reg:5000/library/busybox:latest': id, 'reg:5000/unrelated:1': other };
    expect(mountSources(img, tags, target)).toEqual(['library/busybox', 'team/local']);
  });

  it('is empty for an image known only under the target or on other registries', () => {
    expect(mountSources(image([`docker.io/library/busybox@${m}`]), { 'reg:5000/team/new:v1': id }, target)).toEqual([]);
  });

  it('tries at most three repositories', () => {
    const img = image(['a', 'b', 'c', 'd'].map((r) => `reg:5000/${r}@${m}`));
    expect(mountSources(img, {}, target)).toEqual(['a', 'b', 'c']);
  });
});
