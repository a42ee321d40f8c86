// Pulls every fixture from the real registries with the tsdock CLI and compares what a
// container would see (the overlay of the unpacked layers) with umoci's unpack of the same
// image: paths, modes, owners, contents, symlink targets, hardlinks, whiteouts applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed, type Testbed } from '../testbed/testbed.js';
import { diffTrees, snapshotTree, umociUnpack } from '../testbed/tree.js';
import { makeSandbox, type Sandbox } from '../helpers/tsdock.js';
import { withMergedView } from '../helpers/overlay.js';

let tb: Testbed;
let sb: Sandbox;
let scratch: string;

beforeAll(async () => {
  tb = getTestbed();
  sb = await makeSandbox();
  scratch = await mkdtemp(join(tmpdir(), 'tsdock-umoci-'));
});
afterAll(async () => {
  await sb.remove();
  await rm(scratch, { recursive: true, force: true });
});

async function inspect(ref: string): Promise<{ Id: string; RepoDigests: string[]; RootFS: { Layers: string[] }; GraphDriver: { Name: string; Data: { LowerDir: string } }; Architecture: string }> {
  const r = await sb.run(['image', 'inspect', ref]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout)[0];
}

/** Pulls `ref`, then compares its merged tree with umoci's unpack of fixture:tag. */
async function pullAndCompare(ref: string, fixture: keyof Testbed['fixtures'], tag: string, extra: string[] = []): Promise<string[]> {
  const pull = await sb.run(['pull', ...extra, ref]);
  expect(pull.code, pull.stderr).toBe(0);
  const info = await inspect(ref);
  expect(info.GraphDriver.Name).toBe('overlay');
  const lower = info.GraphDriver.Data.LowerDir.split(':');
  expect(lower).toHaveLength(info.RootFS.Layers.length);
  const bundle = join(scratch, `${fixture}-${tag}-${Math.random().toString(16).slice(2)}`);
  const expected = await snapshotTree(await umociUnpack(tb.fixtures[fixture]!, tag, bundle));
  const actual = await withMergedView(info.GraphDriver.Data.LowerDir, (mnt) => snapshotTree(mnt));
  expect(actual.length).toBeGreaterThan(10);
  return diffTrees(actual, expected, { labels: ['tsdock', 'umoci'] });
}

describe('pulled trees match umoci', () => {
  it('single-layer busybox (OCI media types)', async () => {
    const ref = `${tb.registries.open.addr}/library/busybox:latest`;
    expect(await pullAndCompare(ref, 'busybox', 'latest')).toEqual([]);
  });

  it('3-layer image with whiteout, opaque dir, symlinks and a hardlink (OCI)', async () => {
    const ref = `${tb.registries.open.addr}/layered:v1`;
    expect(await pullAndCompare(ref, 'layered', 'v1')).toEqual([]);
    const info = await inspect(ref);
    await withMergedView(info.GraphDriver.Data.LowerDir, async (mnt) => {
      await expect(readFile(join(mnt, 'etc/motd'))).rejects.toThrow(/ENOENT/);
      expect((await readdir(join(mnt, 'opt/app/conf'))).sort()).toEqual(['c.conf']);
    });
  });

  it('the same 3-layer image with Docker schema2 media types', async () => {
    const ref = `${tb.registries.open.addr}/docker/layered:v1`;
    expect(await pullAndCompare(ref, 'layered', 'v1')).toEqual([]);
    // Same config digest as the OCI one: the same image ID, layers stored once.
    expect((await inspect(ref)).Id).toBe((await inspect(`${tb.registries.open.addr}/layered:v1`)).Id);
  });

  it('an OCI index resolves to the host platform (linux/amd64)', async () => {
    const ref = `${tb.registries.open.addr}/multiarch:latest`;
    expect(await pullAndCompare(ref, 'multiarch', 'amd64')).toEqual([]);
    const info = await inspect(ref);
    expect(info.Architecture).toBe('amd64');
    const index = tb.pushed.find((p) => p.repo === 'multiarch' && p.registry === tb.registries.open.addr)!;
    expect(info.RepoDigests).toContain(`${tb.registries.open.addr}/multiarch@${index.digest}`);
  });

  it('--platform linux/arm64 picks the arm64 entry of a Docker manifest list', async () => {
    const ref = `${tb.registries.open.addr}/docker/multiarch:latest`;
    expect(await pullAndCompare(ref, 'multiarch', 'arm64', ['--platform', 'linux/arm64'])).toEqual([]);
    const info = await inspect(ref);
    expect(info.Architecture).toBe('arm64');
    await withMergedView(info.GraphDriver.Data.LowerDir, async (mnt) => {
      expect((await readFile(join(mnt, 'arch'), 'utf8')).trim()).toBe('arm64');
    });
  });

  it('a platform the index lacks is a clear error', async () => {
    const r = await sb.run(['pull', '--platform', 'linux/s390x', `${tb.registries.open.addr}/multiarch:latest`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no matching manifest for linux\/s390x.*available: linux\/amd64, linux\/arm64\/v8/);
  });

  it('layers shared between images are stored once', async () => {
    const layers = await readdir(join(sb.root, 'layers'));
    const ids = new Set<string>();
    for (const ref of ['library/busybox:latest', 'layered:v1', 'docker/layered:v1', 'multiarch:latest', 'docker/multiarch:latest']) {
      for (const l of (await inspect(`${tb.registries.open.addr}/${ref}`)).RootFS.Layers) ids.add(l.slice(7));
    }
    expect(layers.filter((l) => /^[a-f0-9]{64}$/.test(l)).sort()).toEqual([...ids].sort());
  });
});

describe('docker.io names and mirrors', () => {
  it('`pull busybox` goes to docker.io/library/busybox:latest through the configured mirror', async () => {
    const m = await makeSandbox();
    try {
      await m.setConfig({ 'registry-mirrors': [`http://127.0.0.1:1`, tb.registries.open.url] });
      const r = await m.run(['pull', 'busybox']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Using default tag: latest');
      expect(r.stdout).toContain('latest: Pulling from library/busybox');
      expect(r.stdout.trim().split('\n').at(-1)).toBe('docker.io/library/busybox:latest');
      const images = await m.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
      expect(images.stdout).toBe('busybox:latest\n');
      const again = await m.run(['pull', 'docker.io/library/busybox']);
      expect(again.stdout).toContain('Status: Image is up to date for busybox:latest');
    } finally {
      await m.remove();
    }
  });
});
