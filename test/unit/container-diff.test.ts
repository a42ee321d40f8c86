// `diff` classification on a real overlay-style tree: image layers and a container upper dir
// with whiteouts (char device 0/0, made with mknod) and opaque dirs (trusted.overlay.opaque=y,
// set with setfattr). Needs root, as the integration tests do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { containerChanges } from '../../src/core/runtime/container-diff.js';
import { LowerView } from '../../src/core/fs/overlay-view.js';

let dir: string;
let l1: string;
let l2: string;
let upper: string;

async function file(root: string, path: string, content = 'x\n'): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}
async function whiteout(root: string, path: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  execFileSync('mknod', [join(root, path), 'c', '0', '0']);
}
async function opaqueDir(root: string, path: string): Promise<void> {
  await mkdir(join(root, path), { recursive: true });
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(root, path)]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-diff-'));
  l1 = join(dir, 'l1'); // bottom layer
  l2 = join(dir, 'l2'); // top layer
  upper = join(dir, 'upper');
  for (const p of ['/bin/sh', '/etc/passwd', '/etc/group', '/etc/motd', '/opt/app/conf/a.conf', '/opt/app/conf/b.conf', '/var/log/x', '/keep/file', '/tmp/.keep', '/usr/new']) await file(l1, p);
  // Layer 2 deletes /etc/motd and replaces /opt/app/conf.
  await whiteout(l2, '/etc/motd');
  await opaqueDir(l2, '/opt/app/conf');
  await file(l2, '/opt/app/conf/c.conf');

  // The container's layer.
  await file(upper, '/new'); // added
  await file(upper, '/etc/passwd', 'changed\n'); // changed
  await whiteout(upper, '/etc/group'); // deleted
  await file(upper, '/etc/motd', 'back\n'); // the image deleted it: added again
  for (const p of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) await file(upper, p); // runc's mount points
  for (const p of ['/proc', '/sys', '/dev']) await mkdir(join(upper, p));
  await file(upper, '/keep/file', 'edited\n'); // parent only copied up: not a change itself
  await opaqueDir(upper, '/opt/app/conf'); // rm -rf conf; mkdir conf; echo > conf/a.conf
  await file(upper, '/opt/app/conf/a.conf', 'new a\n');
  await mkdir(join(upper, '/var/log'), { recursive: true });
  await chmod(join(upper, '/var/log'), 0o700); // metadata change of a directory
  await file(upper, '/tmp/a/b'); // depth first: /tmp/a/b comes before /tmp/a.b
  await file(upper, '/tmp/a.b');
  await whiteout(upper, '/usr/new');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('LowerView (the image as the overlay shows it)', () => {
  it('a whiteout in an upper layer hides the file of a lower one', async () => {
    const v = new LowerView([l2, l1]);
    expect(await v.lookup('/etc/motd')).toBeUndefined();
    expect((await v.lookup('/etc/passwd'))?.isFile()).toBe(true);
  });
  it('an opaque directory hides the lower layers below it', async () => {
    const v = new LowerView([l2, l1]);
    expect(await v.lookup('/opt/app/conf/a.conf')).toBeUndefined();
    expect(await v.lookup('/opt/app/conf/c.conf')).toBeDefined();
    expect((await v.children('/opt/app/conf')).sort()).toEqual(['c.conf']);
    expect((await v.children('/etc')).sort()).toEqual(['group', 'passwd']);
  });
});

describe('containerChanges', () => {
  it('reports A/C/D as docker diff, parents first, depth-first in byte order', async () => {
    const changes = await containerChanges(upper, [l2, l1]);
    expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'C /etc',
      'D /etc/group',
      'A /etc/motd',
      'C /etc/passwd',
      'C /keep/file',
      'A /new',
      'C /opt/app/conf',
      'A /opt/app/conf/a.conf',
      'D /opt/app/conf/c.conf',
      'C /tmp',
      'A /tmp/a',
      'A /tmp/a/b',
      'A /tmp/a.b',
      'C /usr',
      'D /usr/new',
      'C /var/log',
    ]);
  });

  it('a deleted directory is one D, its content not listed', async () => {
    const u = join(dir, 'upper2');
    await mkdir(u);
    await whiteout(u, '/opt');
    expect(await containerChanges(u, [l2, l1])).toEqual([{ kind: 'D', path: '/opt' }]);
  });

  it('a container that changed nothing (only runc mount points) has no changes; no upper dir neither', async () => {
    const u = join(dir, 'upper3');
    for (const p of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) await file(u, p);
    for (const p of ['/proc', '/sys', '/dev']) await mkdir(join(u, p));
    expect(await containerChanges(u, [l2, l1])).toEqual([]);
    expect(await containerChanges(join(dir, 'missing'), [l2, l1])).toEqual([]);
  });
});
