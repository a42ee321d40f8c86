// A build killed while a COPY --from read an earlier stage leaves that stage's root mounted
// under <runRoot>/build/.tmp-<pid>-<hex>-from (the builder's temp name carries its pid), and
// nothing of that build is left to unmount it. Swept when a build starts and when a container
// command starts up.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isMounted, unmountRootfs } from '../runtime/rootfs-mount.js';
import { pidOfTempName, processAlive } from '../process/process-alive.js';
import { trace } from '../trace.js';
import { unlessMissing } from '../store/missing-path.js';

/** Unmounts and removes the build dirs whose build process is gone; returns how many. */
export async function removeAbandonedBuildMounts(runRoot: string): Promise<number> {
  const base = join(runRoot, 'build');
  let removed = 0;
  for (const name of await unlessMissing(readdir(base), [] as string[])) {
    const pid = pidOfTempName(name);
    if (pid === undefined || processAlive(pid)) continue;
    const dir = join(base, name);
    const merged = join(dir, 'merged');
    await unmountRootfs(merged);
    // Never delete through a mount that is still there.
    if (await isMounted(merged)) continue;
    await rm(dir, { recursive: true, force: true });
    trace(`removed the abandoned build dir ${name}`);
    removed++;
  }
  return removed;
}
