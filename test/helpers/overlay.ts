// Mounts an image's layer directories the way a container will see them: a read-only overlay
// of every layer, topmost first. An empty bottom layer is added because overlayfs needs two
// lowerdirs when there is no upperdir.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function withMergedView<T>(lowerDirTopFirst: string, fn: (mnt: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdock-merged-'));
  const empty = join(dir, 'empty');
  const mnt = join(dir, 'mnt');
  await mkdir(empty);
  await mkdir(mnt);
  await exec('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lowerDirTopFirst}:${empty}`, mnt]);
  try {
    return await fn(mnt);
  } finally {
    await exec('umount', [mnt]);
    await rm(dir, { recursive: true, force: true });
  }
}
