// rmi / tag / history / images / image prune with Docker's semantics, and concurrent
// tsdock processes working on one store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getTestbed, type Testbed } from '../testbed/testbed.js';
import { makeSandbox, type Sandbox } from '../helpers/tsdock.js';

let tb: Testbed;
let sb: Sandbox;
let reg: string;
beforeAll(async () => {
  tb = getTestbed();
  reg = tb.registries.open.addr;
  sb = await makeSandbox();
});
afterAll(() => sb.remove());

const layerDirs = async (root: string) => (await readdir(join(root, 'layers'))).filter((n) => /^[a-f0-9]{64}$/.test(n)).sort();
const ok = async (args: string[]) => {
  const r = await sb.run(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

describe('images', () => {
  it('lists tags with Docker columns, -q, --digests and --format', async () => {
    await ok(['pull', '-q', `${reg}/library/busybox:latest`]);
    await ok(['pull', '-q', `${reg}/library/busybox:1.36`]);
    await ok(['pull', '-q', `${reg}/layered:v1`]);
    const table = (await ok(['images'])).trimEnd().split('\n');
    expect(table[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table).toHaveLength(4);
    expect(table.some((l) => new RegExp(`^${reg}/library/busybox\\s+1\\.36\\s+[a-f0-9]{12}\\s+\\d+ years ago\\s+2\\.\\d+MB$`).test(l))).toBe(true);
    const ids = (await ok(['images', '-q'])).trim().split('\n');
    expect(ids).toHaveLength(2); // busybox:latest and :1.36 are one image
    const digests = await ok(['images', '--digests', '--format', '{{.Tag}} {{.Digest}}']);
    const pushed = tb.pushed.find((p) => p.registry === reg && p.repo === 'library/busybox' && p.tag === 'latest')!;
    expect(digests).toContain(`latest ${pushed.digest}`);
    const filtered = await ok(['images', '--format', '{{.Repository}}:{{.Tag}}', `${reg}/library/busybox:1.36`]);
    expect(filtered).toBe(`${reg}/library/busybox:1.36\n`);
    const tpl = await ok(['images', '--format', 'table {{.Repository}}\t{{.Tag}}', `${reg}/layered`]);
    expect(tpl.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG$/);
  });

  it('--format with an unknown function is an error', async () => {
    const r = await sb.run(['images', '--format', '{{nosuch .ID}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('template parsing error: template: function "nosuch" not defined');
  });
});

describe('tag and rmi', () => {
  it('untags while other tags remain, then deletes the image but keeps shared layers', async () => {
    const before = await layerDirs(sb.root);
    expect((await ok(['rmi', `${reg}/library/busybox:1.36`])).trim()).toBe(`Untagged: ${reg}/library/busybox:1.36`);
    expect(await layerDirs(sb.root)).toEqual(before);

    const busyboxId = JSON.parse(await ok(['image', 'inspect', `${reg}/library/busybox:latest`]))[0].Id as string;
    const layered = JSON.parse(await ok(['image', 'inspect', `${reg}/layered:v1`]))[0];
    const out = (await ok(['rmi', `${reg}/layered:v1`])).trim().split('\n');
    expect(out[0]).toBe(`Untagged: ${reg}/layered:v1`);
    expect(out).toContain(`Deleted: ${layered.Id}`);
    // The two layers only layered:v1 had are gone; busybox's base layer stays.
    const after = await layerDirs(sb.root);
    expect(after).toEqual(before.filter((l) => !layered.RootFS.Layers.slice(1).includes(`sha256:${l}`)));
    expect(after).toContain(layered.RootFS.Layers[0].slice(7));
    const still = JSON.parse(await ok(['image', 'inspect', busyboxId.slice(7, 19)]))[0];
    expect(still.Id).toBe(busyboxId);
  });

  it('tag adds a name; rmi by ID refuses an image in two repositories unless forced', async () => {
    await ok(['tag', `${reg}/library/busybox:latest`, 'mine/bb:v1']);
    const inspect = JSON.parse(await ok(['image', 'inspect', 'mine/bb:v1']))[0];
    expect(inspect.RepoTags.sort()).toEqual([`${reg}/library/busybox:latest`, 'mine/bb:v1'].sort());
    const refused = await sb.run(['rmi', inspect.Id.slice(7, 19)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('image is referenced in multiple repositories');
    const forced = (await ok(['rmi', '-f', inspect.Id.slice(7, 19)])).trim().split('\n');
    expect(forced).toContain('Untagged: mine/bb:v1');
    expect(forced).toContain(`Deleted: ${inspect.Id}`);
    expect(await ok(['images', '-q'])).toBe('');
    expect(await layerDirs(sb.root)).toEqual([]);
    expect((await readdir(join(sb.root, 'blobs/sha256'))).length).toBe(0);
  });

  it('rmi of an unknown image fails with "No such image" and still removes the others', async () => {
    await ok(['pull', '-q', `${reg}/library/busybox:latest`]);
    const r = await sb.run(['rmi', 'nosuch:tag', `${reg}/library/busybox:latest`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such image: nosuch:tag');
    expect(r.stdout).toContain(`Untagged: ${reg}/library/busybox:latest`);
  });

  it('tag refuses a digest as target', async () => {
    await ok(['pull', '-q', `${reg}/library/busybox:latest`]);
    const r = await sb.run(['tag', `${reg}/library/busybox:latest`, `x/y@sha256:${'a'.repeat(64)}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to create a tag with a digest reference');
  });
});

describe('history and prune', () => {
  it('history shows one row per history entry, newest first, with layer sizes', async () => {
    await ok(['pull', '-q', `${reg}/layered:v1`]);
    const rows = (await ok(['history', `${reg}/layered:v1`])).trimEnd().split('\n');
    expect(rows[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/^[a-f0-9]{12}\s/);
    expect(rows[2]).toMatch(/^<missing>\s/);
    expect(rows[3]).toMatch(/busybox-static rootfs\s+2\.\d+MB/);
    const q = (await ok(['history', '-q', '--no-trunc', `${reg}/layered:v1`])).trim().split('\n');
    expect(q[0]).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it('image prune removes dangling images only; -a removes the rest', async () => {
    // Make busybox dangling: its only tag moves to another image.
    await ok(['pull', '-q', `${reg}/library/busybox:latest`]);
    await ok(['tag', `${reg}/layered:v1`, `${reg}/library/busybox:latest`]);
    const dangling = (await ok(['images', '--format', '{{.Repository}} {{.Tag}}'])).split('\n').filter((l) => l.endsWith('<none>'));
    expect(dangling).toHaveLength(1);
    const pruned = await ok(['image', 'prune', '-f']);
    expect(pruned).toMatch(/^Deleted Images:\n/);
    expect(pruned).toMatch(/deleted: sha256:[a-f0-9]{64}/);
    expect(pruned).toMatch(/Total reclaimed space: 0B\n$/); // its only layer is shared with layered:v1
    expect((await ok(['images', '--format', '{{.Tag}}'])).split('\n').filter((l) => l === '<none>')).toEqual([]);
    const all = await ok(['image', 'prune', '-a', '-f']);
    expect(all).toMatch(/Total reclaimed space: 2\.\d+MB/);
    expect(await ok(['images', '-q'])).toBe('');
  });

  it('image prune without -f asks and does nothing on "n"', async () => {
    await ok(['pull', '-q', `${reg}/library/busybox:latest`]);
    const r = await sb.run(['image', 'prune', '-a'], { input: 'n\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Are you sure you want to continue? [y/N]');
    expect((await ok(['images', '-q'])).trim()).not.toBe('');
  });
});

describe('several tsdock processes on one store', () => {
  it('concurrent pulls of overlapping images all succeed and store each layer once', async () => {
    const box = await makeSandbox();
    try {
      const refs = ['library/busybox:latest', 'layered:v1', 'docker/layered:v1', 'library/busybox:1.36', 'docker/busybox:latest', 'multiarch:latest'];
      const results = await Promise.all(refs.map((r) => box.run(['pull', '-q', `${reg}/${r}`])));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const tags = (await box.run(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.trim().split('\n').sort();
      expect(tags).toEqual(refs.map((r) => `${reg}/${r}`).sort());
      const layers = new Set<string>();
      for (const r of refs) for (const l of JSON.parse((await box.run(['image', 'inspect', `${reg}/${r}`])).stdout)[0].RootFS.Layers) layers.add(l.slice(7));
      expect(await layerDirs(box.root)).toEqual([...layers].sort());
      expect(await readdir(join(box.root, 'ingest'))).toEqual([]);
    } finally {
      await box.remove();
    }
  });
});
