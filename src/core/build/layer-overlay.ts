import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RootedFs } from '../fs/rooted-fs.js';
import { mountRootfs, unmountRootfs } from '../runtime/rootfs-mount.js';
import { tempName } from '../store/atomic-file.js';

/**
 * A build step that writes files (COPY, ADD, WORKDIR) writes them into the image's root as
 * the image shows it: an overlay of the step's image with a fresh upper dir, opened as a
 * RootedFs. So a symlink of the image (`/bin -> usr/bin`) is followed inside the root as
 * Docker's builder follows it, a symlink an earlier source or a RUN planted never leads out,
 * and the upper dir is the layer (as for RUN).
 */
export interface LayerOverlayDirs {
  /** Where upper and work dirs go (on the store's disk: a COPY can be large). */
  scratchParent: string;
  /** Where the overlay is mounted (volatile state; a build killed meanwhile leaves it to the sweep of `<runRoot>/build`). */
  mountParent: string;
}

export async function withLayerOverlay<T>(
  dirs: LayerOverlayDirs,
  layerDirsTopFirst: string[],
  write: (root: RootedFs) => Promise<void>,
  commit: (upperDir: string) => Promise<T>,
): Promise<T> {
  const scratch = tempName(dirs.scratchParent, 'build-layer');
  const mountDir = tempName(dirs.mountParent, 'layer');
  const merged = join(mountDir, 'merged');
  const upper = join(scratch, 'upper');
  await mkdir(scratch, { recursive: true });
  await mkdir(mountDir, { recursive: true });
  try {
    await mountRootfs({ layerDirsTopFirst, upper, work: join(scratch, 'work'), merged, linkDir: join(mountDir, 'l') });
    try {
      const root = await RootedFs.open(merged);
      try {
        await write(root);
      } finally {
        await root.close();
      }
    } finally {
      await unmountRootfs(merged);
    }
    return await commit(upper);
  } finally {
    await rm(mountDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
