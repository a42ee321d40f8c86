import { describe, expect, it } from 'vitest';
import { commitCreatedBy, containerCommitConfig, mergeEnv } from '../../src/core/images/image-commit.js';
import { intermediateImageIds } from '../../src/core/images/image-removal.js';
import type { ContainerRecord, ContainerSpecRequest } from '../../src/core/runtime/container-record.js';
import type { ImageRecord } from '../../src/core/images/image-record.js';

function record(req: Partial<ContainerSpecRequest>): ContainerRecord {
  const request: ContainerSpecRequest = { image: 'busybox', env: [], tty: false, interactive: false, labels: {}, binds: [], volumes: [], tmpfs: [], readOnlyRootfs: false, init: false, capAdd: [], capDrop: [], privileged: false, securityOpt: [], network: 'none', autoRemove: false, ...req };
  return { request, env: ['PATH=/bin', 'HOSTNAME=abc'], workdir: '/', user: '' } as unknown as ContainerRecord;
}

describe('containerCommitConfig', () => {
  const image = { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], Labels: { x: '1' }, ExposedPorts: { '80/tcp': {} }, Volumes: { '/v': {} } };

  it("is the image's config when the container asked for nothing", () => {
    expect(containerCommitConfig(image, record({}))).toEqual(image);
  });

  it("applies what create asked for, without the runtime's HOSTNAME", () => {
    const c = containerCommitConfig(
      image,
      record({ cmd: ['sh', '-c', 'echo'], env: ['A=user', 'B=2', 'DROPPED'], workdir: '/w', user: 'nobody', labels: { y: '2' }, exposedPorts: ['53/udp'], volumes: [{ name: 'n', destination: '/data', readOnly: false, anonymous: true }], stopSignal: 'SIGINT' }),
    );
    expect(c).toEqual({
      Env: ['A=user', 'B=2', 'PATH=/bin'],
      Cmd: ['sh', '-c', 'echo'],
      WorkingDir: '/w',
      User: 'nobody',
      Labels: { x: '1', y: '2' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/v': {}, '/data': {} },
      StopSignal: 'SIGINT',
    });
    expect(commitCreatedBy(c)).toBe('sh -c echo');
  });

  it('drops the image CMD when the entrypoint was overridden', () => {
    expect(containerCommitConfig(image, record({ entrypoint: ['top'] }))).toMatchObject({ Entrypoint: ['top'], Cmd: null });
    expect(containerCommitConfig(image, record({ entrypoint: [] }))).toMatchObject({ Entrypoint: null, Cmd: null });
  });

  it('merges env as Docker: user first, then the image entries not overridden', () => {
    expect(mergeEnv(['PATH=/bin', 'X=1'], ['X=2', 'Y=3'])).toEqual(['X=2', 'Y=3', 'PATH=/bin']);
  });
});

describe('intermediateImageIds', () => {
  const img = (id: string, parent?: string): ImageRecord => ({ id: `sha256:${id.repeat(64)}`, parent: parent ? `sha256:${parent.repeat(64)}` : undefined, manifestDigest: 'sha256:0', manifestMediaType: '', repoDigests: [], layers: [], size: 0, stored: '' }) as ImageRecord;
  it('is the untagged images that have children', () => {
    const images = [img('a'), img('b', 'a'), img('c', 'b'), img('d')];
    const ids = intermediateImageIds(images, { 'docker.io/library/x:latest': `sha256:${'c'.repeat(64)}`, 'docker.io/library/base:latest': `sha256:${'a'.repeat(64)}` });
    expect([...ids]).toEqual([`sha256:${'b'.repeat(64)}`]);
  });
});
