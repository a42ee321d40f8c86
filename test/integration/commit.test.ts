// `commit`: a real container's overlay layer becomes an image layer (checked with GNU tar, not
// tsdock), the committed image runs with the changes, and history/inspect show the commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let layered: string;

beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  layered = `${getTestbed().registries.open.addr}/layered:v1`;
  await c.ok(['pull', '-q', layered]);
});

afterAll(async () => {
  await c.cleanup();
});

interface StoredImage {
  layers: { blobDigest: string; diffId: string }[];
  parent?: string;
}

async function storedImage(id: string): Promise<StoredImage> {
  return JSON.parse(await readFile(join(c.sb.root, 'images', `${id.replace('sha256:', '')}.json`), 'utf8')) as StoredImage;
}

async function historyRows(image: string): Promise<string[]> {
  return (await c.ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', image])).split('\n').filter(Boolean);
}

describe('commit', () => {
  it('turns changed, added and deleted files (and a replaced dir) into a layer; the image runs with them', async () => {
    const script = [
      'echo changed > /etc/motd',
      'echo added > /x',
      'ln /x /x2',
      'rm /opt/app/conf/c.conf',
      'echo d > /opt/app/conf/d.conf',
      'rm -rf /opt/app/data',
      'rm -rf /opt/app/bin && mkdir /opt/app/bin && echo only > /opt/app/bin/only',
    ].join(' && ');
    await c.ok(['run', '--name', 'cm', '--network', 'none', layered, 'sh', '-c', script]);
    const before = await historyRows(layered);

    const out = await c.ok(['commit', '-a', 'Tess Ter <tess@example.com>', '-m', 'my message', '-c', 'CMD ["cat","/x"]', 'cm', 'committed:v1']);
    expect(out).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const id = out.trim();

    // The new image's CMD prints the added file.
    expect(await c.ok(['run', '--rm', '--network', 'none', 'committed:v1'])).toBe('added\n');
    // Changed, deleted, replaced: as the container left them; no whiteout shows as a file.
    const look = await c.ok([
      'run', '--rm', '--network', 'none', 'committed:v1', 'sh', '-c',
      'cat /etc/motd; ls /opt/app/conf; echo --; ls /opt/app; echo --; ls -a /opt/app/bin; echo --; find / -xdev -name ".wh.*"',
    ]);
    const conf = look.split('--\n');
    expect(conf[0]).toBe('changed\nd.conf\n');
    expect(conf[1]!.split('\n')).not.toContain('data');
    expect(conf[2]).toBe('.\n..\nonly\n');
    expect(conf[3]).toBe('');

    // history: one more row, newest first, with the container's command and the message.
    const after = await historyRows('committed:v1');
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toBe(`sh -c ${script}|my message`);
    expect(after.slice(1)).toEqual(before);

    const [inspect] = JSON.parse(await c.ok(['image', 'inspect', 'committed:v1'])) as { Id: string; Author: string; Config: { Cmd: string[]; Env: string[] }; RootFS: { Layers: string[] } }[];
    expect(inspect!.Id).toBe(id);
    expect(inspect!.Author).toBe('Tess Ter <tess@example.com>');
    expect(inspect!.Config.Cmd).toEqual(['cat', '/x']);
    expect(inspect!.Config.Env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(inspect!.Config.Env.some((e) => e.startsWith('HOSTNAME='))).toBe(false);

    // The layer blob, read with GNU tar: OCI whiteouts, an opaque marker, the changed files,
    // and none of runc's mount points.
    const stored = await storedImage(id);
    const baseId = (JSON.parse(await c.ok(['image', 'inspect', layered])) as { Id: string }[])[0]!.Id;
    const base = await storedImage(baseId);
    const ids = (layers: StoredImage['layers']) => layers.map((l) => [l.blobDigest, l.diffId]);
    expect(ids(stored.layers.slice(0, -1))).toEqual(ids(base.layers));
    expect(inspect!.RootFS.Layers).toHaveLength(base.layers.length + 1);
    const blob = join(c.sb.root, 'blobs', 'sha256', stored.layers.at(-1)!.blobDigest.replace('sha256:', ''));
    const listing = execFileSync('tar', ['-tzvf', blob], { encoding: 'utf8' });
    const names = execFileSync('tar', ['-tzf', blob], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(names).toEqual(expect.arrayContaining(['etc/motd', 'x', 'x2', 'opt/app/conf/.wh.c.conf', 'opt/app/conf/d.conf', 'opt/app/.wh.data', 'opt/app/bin/', 'opt/app/bin/.wh..wh..opq', 'opt/app/bin/only']));
    expect(names.filter((n) => /^(proc|sys|dev)\/|^etc\/(hosts|hostname|resolv\.conf)$/.test(n))).toEqual([]);
    expect(names).not.toContain('opt/app/data/file.txt');
    // The changed file keeps root ownership and mode; the second name is a hardlink entry.
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 +8 .* etc\/motd$/m);
    expect(listing).toMatch(/^hrw-r--r-- 0\/0 +0 .* x2 link to x$/m);
    // Depth first, directories before what they hold (a whiteout sits where its name would).
    for (const [i, n] of names.entries()) {
      const parent = n.replace(/\/?[^/]+\/?$/, '/');
      if (parent !== '/') expect(names.indexOf(parent), n).toBeLessThan(i);
    }
    expect(names.indexOf('opt/app/.wh.data')).toBeGreaterThan(names.indexOf('opt/app/conf/d.conf'));
    expect(stored.parent).toBe(baseId);
  });

  it('commits a running container (paused meanwhile) and leaves it running', async () => {
    await c.ok(['run', '-d', '--name', 'live', '--network', 'none', c.image, 'sh', '-c', 'echo live > /live; exec sleep 300']);
    for (let i = 0; i < 100 && (await c.run(['exec', 'live', 'cat', '/live'])).stdout !== 'live\n'; i++) await new Promise((r) => setTimeout(r, 50));
    const id = (await c.ok(['commit', 'live'])).trim();
    expect((await c.inspect('live')).State.Status).toBe('running');
    // Untagged: listed as <none>, runnable by ID.
    expect(await c.ok(['run', '--rm', '--network', 'none', id, 'cat', '/live'])).toBe('live\n');
    const images = await c.ok(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(images).toContain(`<none>:<none> ${id.slice(7, 19)}`);
    // --pause=false is accepted too.
    expect(await c.ok(['container', 'commit', '--pause=false', 'live', 'live:snap'])).toMatch(/^sha256:/);
    await c.ok(['rm', '-f', 'live']);
  });

  it('refuses bad input with a clear message and stores nothing', async () => {
    const images = await c.ok(['images', '-a', '-q']);
    const missing = await c.run(['commit', 'no-such-container']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: No such container: no-such-container\n');
    const run = await c.run(['commit', '-c', 'RUN echo hi', 'cm']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/RUN is not a valid change command/);
    const bad = await c.run(['commit', 'cm', 'Bad:Name']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: .*(invalid reference format|repository name must be lowercase)/);
    expect(await c.ok(['images', '-a', '-q'])).toBe(images);
  });

  it('commits a container that changed nothing as an empty layer (history entry only)', async () => {
    await c.ok(['create', '--name', 'idle', '--network', 'none', c.image, 'true']);
    const id = (await c.ok(['commit', 'idle', 'idle:v1'])).trim();
    const base = (JSON.parse(await c.ok(['image', 'inspect', c.image])) as { RootFS: { Layers: string[] } }[])[0]!;
    const img = (JSON.parse(await c.ok(['image', 'inspect', id])) as { RootFS: { Layers: string[] }; Config: { Cmd: string[] } }[])[0]!;
    expect(img.RootFS.Layers).toEqual(base.RootFS.Layers);
    expect(img.Config.Cmd).toEqual(['true']);
    const rows = (await c.ok(['history', '--format', '{{.CreatedBy}}|{{.Size}}', 'idle:v1'])).split('\n');
    expect(rows[0]).toBe('true|0B');
  });
});
