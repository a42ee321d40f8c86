import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../process/run-command.js';

/**
 * The container's root filesystem: an overlay of the image's layers (read-only lowerdirs, top
 * first) under the container's own upper dir. tsdock mounts it before runc starts and
 * unmounts it when the container stops, as Podman does.
 */
export async function mountRootfs(opts: { layerDirsTopFirst: string[]; upper: string; work: string; merged: string; linkDir: string }): Promise<void> {
  if (await isMounted(opts.merged)) return;
  await mkdir(opts.upper, { recursive: true });
  await mkdir(opts.work, { recursive: true });
  await mkdir(opts.merged, { recursive: true });
  // Mount options are limited to one page: with many layers, short relative links keep the
  // lowerdir list small (Docker's overlay2 does the same with its l/ directory).
  await rm(opts.linkDir, { recursive: true, force: true });
  await mkdir(opts.linkDir);
  const lowers: string[] = [];
  for (const [i, dir] of opts.layerDirsTopFirst.entries()) {
    const link = join(opts.linkDir, i.toString(36));
    await symlink(dir, link);
    lowers.push(link);
  }
  if (lowers.length === 0) {
    // An image without layers (FROM scratch, nothing added): overlayfs still needs a lowerdir.
    const empty = join(opts.linkDir, 'empty');
    await mkdir(empty);
    lowers.push(empty);
  }
  await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers.join(':')},upperdir=${opts.upper},workdir=${opts.work}`, opts.merged]);
}

export async function unmountRootfs(merged: string): Promise<void> {
  while (await isMounted(merged)) await runCommand('umount', [merged]);
}

export async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[4] === path);
}
