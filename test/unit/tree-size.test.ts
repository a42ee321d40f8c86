// treeBytes (`ps -s`, `volume prune`): Docker's directory.Size, walked on held descriptors
// (O_NOFOLLOW) so that no symlink in a tree a container can change leads the walk out of it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeBytes } from '../../src/core/fs/tree-size.js';

let base: string;
let tree: string;
let host: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'tree-size-'));
  tree = join(base, 'tree');
  host = join(base, 'host');
  await mkdir(join(tree, 'a', 'b'), { recursive: true });
  await mkdir(join(host, 'b'), { recursive: true });
  // Big host files, also where the tree has a directory: any walk that leaves the tree shows up in the total.
  await writeFile(join(host, 'big'), Buffer.alloc(1 << 20));
  await writeFile(join(host, 'b', 'big'), Buffer.alloc(1 << 20));
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('treeBytes', () => {
  it('counts file bytes once per inode, not directories, and follows no symlink', async () => {
    await writeFile(join(tree, 'a', 'f'), 'x'.repeat(100));
    await writeFile(join(tree, 'a', 'b', 'g'), 'y'.repeat(20));
    await link(join(tree, 'a', 'f'), join(tree, 'hard'));
    await symlink(host, join(tree, 'a', 'b', 'to-host'));
    await symlink(join(host, 'big'), join(tree, 'big-link'));
    const links = join(host, 'big').length + host.length;
    expect(await treeBytes(tree)).toBe(100 + 20 + links);
  });

  it('a missing tree, or a symlink where the tree should be, is 0 (never the host directory it names)', async () => {
    expect(await treeBytes(join(base, 'nothing'))).toBe(0);
    await symlink(host, join(base, 'tree-link'));
    expect(await treeBytes(join(base, 'tree-link'))).toBe(0);
  });
});
