// Self-test of the integration test bed, independent of tsdock: the registries serve what the
// fixtures promise, auth behaves as documented, and the layered fixture unpacks (with umoci)
// to the tree tsdock's extractor will be compared against.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobPath,
  fetchToken,
  getTestbed,
  MEDIA_TYPES,
  pushFixture,
  registryFetch,
  registryOf,
  startRegistry,
  type PushedImage,
  type RegistryInfo,
} from '../testbed/testbed.js';
import { diffTrees, snapshotTree, umociUnpack, type TreeEntry } from '../testbed/tree.js';

const tb = getTestbed();

const ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
].join(', ');

// What setup must have pushed, and the media type each must be served with.
const EXPECTED: Record<string, { type: string; layers?: number; platforms?: string[] }> = {
  'open library/busybox:latest': { type: MEDIA_TYPES.ociManifest, layers: 1 },
  'open library/busybox:1.36': { type: MEDIA_TYPES.ociManifest, layers: 1 },
  'open layered:v1': { type: MEDIA_TYPES.ociManifest, layers: 3 },
  'open multiarch:latest': { type: MEDIA_TYPES.ociIndex, platforms: ['linux/amd64', 'linux/arm64/v8'] },
  'open docker/busybox:latest': { type: MEDIA_TYPES.dockerManifest, layers: 1 },
  'open docker/multiarch:latest': { type: MEDIA_TYPES.dockerManifestList, platforms: ['linux/amd64', 'linux/arm64/v8'] },
  'open docker/layered:v1': { type: MEDIA_TYPES.dockerManifest, layers: 3 },
  'basic private/busybox:latest': { type: MEDIA_TYPES.ociManifest, layers: 1 },
  'token secure/busybox:latest': { type: MEDIA_TYPES.ociManifest, layers: 1 },
  // only with TSDOCK_TESTBED_BIG=1: busybox + 4 layers of random data
  ...(tb.fixtures.big ? { 'open library/big:latest': { type: MEDIA_TYPES.ociManifest, layers: 5 } } : {}),
};

const keyOf = (img: PushedImage) => `${registryOf(tb, img).mode} ${img.repo}:${img.tag}`;
const sha256 = (buf: Buffer) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}
interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

async function getManifest(reg: RegistryInfo, repo: string, ref: string) {
  const res = await registryFetch(reg, `/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT } });
  expect(res.status, `GET ${repo}/manifests/${ref}`).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  return {
    contentType: (res.headers.get('content-type') ?? '').split(';')[0],
    digestHeader: res.headers.get('docker-content-digest'),
    digest: sha256(body),
    size: body.length,
    manifest: JSON.parse(body.toString('utf8')) as Manifest,
  };
}

async function expectBlobsPresent(reg: RegistryInfo, repo: string, m: Manifest, format: 'oci' | 'docker') {
  const configType = format === 'oci' ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig;
  const layerType = format === 'oci' ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.dockerLayerGzip;
  expect(m.config?.mediaType).toBe(configType);
  for (const l of m.layers ?? []) expect(l.mediaType).toBe(layerType);
  for (const d of [m.config!, ...(m.layers ?? [])]) {
    const res = await registryFetch(reg, `/v2/${repo}/blobs/${d.digest}`, { method: 'HEAD' });
    expect(res.status, `HEAD ${repo}/blobs/${d.digest}`).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(d.size);
  }
}

describe('pushed images', () => {
  it('setup pushed exactly the expected repositories and tags', () => {
    expect(tb.pushed.map(keyOf).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(tb.pushed.map((img) => [keyOf(img), img] as const))('%s is served with its media type and blobs', async (key, img) => {
    const want = EXPECTED[key];
    const reg = registryOf(tb, img);
    const got = await getManifest(reg, img.repo, img.tag);
    expect(got.contentType).toBe(want.type);
    expect(img.mediaType).toBe(want.type);
    expect(got.digestHeader).toBe(got.digest);
    expect(got.digest).toBe(img.digest);
    expect(got.size).toBe(img.size);

    const isIndex = want.type === MEDIA_TYPES.ociIndex || want.type === MEDIA_TYPES.dockerManifestList;
    const format = want.type === MEDIA_TYPES.ociIndex || want.type === MEDIA_TYPES.ociManifest ? 'oci' : 'docker';
    if (!isIndex) {
      expect(got.manifest.layers).toHaveLength(want.layers!);
      await expectBlobsPresent(reg, img.repo, got.manifest, format);
      return;
    }
    expect(got.manifest.mediaType).toBe(want.type);
    const children = got.manifest.manifests ?? [];
    expect(children.map((c) => [c.platform!.os, c.platform!.architecture, c.platform!.variant].filter(Boolean).join('/'))).toEqual(
      want.platforms,
    );
    const childType = format === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    for (const c of children) {
      expect(c.mediaType).toBe(childType);
      const child = await getManifest(reg, img.repo, c.digest);
      expect(child.contentType).toBe(childType);
      expect(child.digest).toBe(c.digest);
      expect(child.size).toBe(c.size);
      expect(child.manifest.layers).toHaveLength(2); // busybox + /arch
      await expectBlobsPresent(reg, img.repo, child.manifest, format);
    }
  });

  it.runIf(tb.fixtures.big)('library/big is at least 100 MB compressed over at least 3 layers', async () => {
    const { manifest } = await getManifest(tb.registries.open, 'library/big', 'latest');
    const sizes = manifest.layers!.map((l) => l.size);
    expect(sizes.filter((s) => s > 30e6).length).toBeGreaterThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100e6);
  });

  it('the OCI multiarch index in the registry is byte-identical to the fixture layout index', async () => {
    const img = tb.pushed.find((p) => p.repo === 'multiarch')!;
    const index = JSON.parse(await readFile(join(tb.fixtures.multiarch, 'index.json'), 'utf8')) as Manifest;
    const latest = index.manifests?.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === 'latest');
    expect(latest?.digest).toBe(img.digest);
  });
});

describe('authentication', () => {
  it('basic: no credentials -> 401 with a Basic challenge; wrong ones -> 401; right ones -> 200', async () => {
    const reg = tb.registries.basic;
    const url = `${reg.url}/v2/private/busybox/manifests/latest`;
    const anon = await fetch(url, { headers: { accept: ACCEPT } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    const wrong = await fetch(url, {
      headers: { accept: ACCEPT, authorization: `Basic ${Buffer.from('tester:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    expect((await registryFetch(reg, '/v2/private/busybox/manifests/latest', { headers: { accept: ACCEPT } })).status).toBe(200);
  });

  it('token: no credentials -> 401 with a Bearer challenge naming realm, service and scope', async () => {
    const reg = tb.registries.token;
    const res = await fetch(`${reg.url}/v2/secure/busybox/manifests/latest`, { headers: { accept: ACCEPT } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="${tb.tokenServer}",service="${reg.service}",scope="repository:secure/busybox:pull"`,
    );
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('UNAUTHORIZED');
  });

  it('token: an anonymous token carries no access, so the registry still refuses', async () => {
    const reg = tb.registries.token;
    const token = await fetchToken(reg, 'repository:secure/busybox:pull', true);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: reg.issuer, aud: reg.service, sub: '', access: [] });
    const res = await fetch(`${reg.url}/v2/secure/busybox/manifests/latest`, {
      headers: { accept: ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(['UNAUTHORIZED', 'DENIED']).toContain(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code);
  });

  it('token: the token server rejects wrong credentials with 401', async () => {
    const url = new URL(tb.tokenServer);
    url.searchParams.set('service', tb.registries.token.service!);
    url.searchParams.set('scope', 'repository:secure/busybox:pull');
    const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('tokenuser:wrong').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('token: a token with the right scope is an RS256 JWT with x5c and grants pull', async () => {
    const reg = tb.registries.token;
    const token = await fetchToken(reg, 'repository:secure/busybox:pull,push');
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { alg: string; x5c: string[] };
    expect(header.alg).toBe('RS256');
    expect(header.x5c).toHaveLength(1);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: 'tokenuser',
      access: [{ type: 'repository', name: 'secure/busybox', actions: ['pull', 'push'] }],
    });
    for (const k of ['exp', 'nbf', 'iat', 'jti']) expect(claims[k]).toBeDefined();
    const res = await fetch(`${reg.url}/v2/secure/busybox/manifests/latest`, {
      headers: { accept: ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('layered:v1 unpacked by umoci', () => {
  let dir: string;
  let tree: TreeEntry[];
  const at = (p: string) => tree.find((e) => e.path === p);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsdock-tree-'));
    tree = await snapshotTree(await umociUnpack(tb.fixtures.layered, 'v1', join(dir, 'bundle')));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies the whiteout and the opaque directory', () => {
    expect(at('etc/motd')).toBeUndefined();
    expect(at('etc/.wh.motd')).toBeUndefined();
    expect(tree.filter((e) => e.path.startsWith('opt/app/conf/')).map((e) => e.path)).toEqual(['opt/app/conf/c.conf']);
    expect(at('etc/passwd')?.type).toBe('file');
  });

  it('keeps the hardlink pair, rewritten in layer 3, with its owner and mode', () => {
    const file = at('opt/app/data/file.txt')!;
    const link = at('opt/app/data/hardlink.txt')!;
    expect(file.hardlink).toBe('opt/app/data/file.txt');
    expect(link.hardlink).toBe(file.hardlink);
    expect(link.sha256).toBe(file.sha256);
    expect(file.sha256).toBe(createHash('sha256').update('data v2 (rewritten in layer 3)\n').digest('hex'));
    expect(file).toMatchObject({ type: 'file', mode: 0o640, uid: 1000, gid: 1000 });
  });

  it('has the symlinks, the setuid file, the empty dir and a sticky /tmp', () => {
    expect(at('opt/app/current')).toMatchObject({ type: 'symlink', target: 'data' });
    expect(at('opt/app/abs')).toMatchObject({ type: 'symlink', target: '/etc/passwd' });
    expect(at('opt/app/bin/setuid-tool')).toMatchObject({ type: 'file', mode: 0o4755, uid: 0 });
    expect(at('opt/app/empty')).toMatchObject({ type: 'dir', mode: 0o755 });
    expect(tree.some((e) => e.path.startsWith('opt/app/empty/'))).toBe(false);
    expect(at('tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(at('bin/sh')).toMatchObject({ type: 'symlink', target: 'busybox' });
    expect(at('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755, mtime: 0 });
  });

  it('diffTrees reports nothing for equal trees and each change otherwise', () => {
    expect(diffTrees(tree, structuredClone(tree))).toEqual([]);
    const changed = structuredClone(tree).filter((e) => e.path !== 'etc/group');
    changed.find((e) => e.path === 'opt/app/data/hardlink.txt')!.hardlink = undefined;
    changed.find((e) => e.path === 'tmp')!.mode = 0o755;
    changed.push({ path: 'zzz', type: 'fifo', mode: 0o644, uid: 0, gid: 0, mtime: 0 });
    expect(diffTrees(tree, changed, { labels: ['umoci', 'tsdock'] })).toEqual([
      'etc/group: only in umoci (file)',
      'opt/app/data/hardlink.txt: hardlink "opt/app/data/file.txt" (umoci) != (none) (tsdock)',
      'tmp: mode 01777 (umoci) != 0755 (tsdock)',
      'zzz: only in tsdock (fifo)',
    ]);
  });
});

describe('private registries for destructive tests', () => {
  it('startRegistry + pushFixture + blobPath, and stop() leaves no process behind', async () => {
    const reg = await startRegistry('token');
    const pids = [reg.pid, reg.tokenPid!];
    try {
      const pushed = await pushFixture(reg, 'busybox', 'latest', 'victim/busybox:latest', 'v2s2');
      expect(pushed.mediaType).toBe(MEDIA_TYPES.dockerManifest);
      const { manifest } = await getManifest(reg, 'victim/busybox', 'latest');
      const layer = manifest.layers![0];
      expect((await stat(blobPath(reg.storage, layer.digest))).size).toBe(layer.size);
    } finally {
      await reg.stop();
    }
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(stat(reg.stateDir)).rejects.toThrow(/ENOENT/);
  });
});
