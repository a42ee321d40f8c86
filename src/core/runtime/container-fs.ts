import { access } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ContainerManager } from './container-manager.js';
import type { ContainerRecord } from './container-record.js';
import { isMounted, mountRootfs, unmountRootfs } from './rootfs-mount.js';
import { NoSuchContainerError } from './container-id.js';
import { StoreLock } from '../store/store-lock.js';
import { RootedFs, type RootMount } from '../fs/rooted-fs.js';

/**
 * A container's filesystem as the container sees it, for `cp`: its root plus the volumes and
 * binds mounted into it, opened as a RootedFs so that every path is resolved inside it (on
 * held descriptors: a symlink or a swap made by the container cannot lead out of it).
 */
export class ContainerFs {
  constructor(
    readonly fs: RootedFs,
    readonly rootReadOnly: boolean,
  ) {}

  /** Why a resolved path cannot be written, or undefined when it can. */
  readOnlyReason(path: string): string | undefined {
    const m = this.fs.mountFor(path);
    if (m ? m.readOnly : this.rootReadOnly) return m ? 'mounted volume is marked read-only' : 'container rootfs is marked read-only';
    return undefined;
  }
}

/**
 * Runs `fn` with the container's filesystem open: a running container's through
 * /proc/<pid>/root (its own mount namespace: tmpfs and volumes included); a stopped one's by
 * mounting its overlay (image layers + its upper dir) for the time of the call, with its
 * volumes and binds mapped in. The container's lock is held throughout, so it cannot start or
 * be removed while its files are being copied.
 */
export async function withContainerFs<T>(
  manager: ContainerManager,
  query: string,
  layerDirsTopFirst: (rec: ContainerRecord) => Promise<string[]>,
  fn: (fs: ContainerFs, rec: ContainerRecord) => Promise<T>,
): Promise<T> {
  const found = await manager.find(query);
  const lock = new StoreLock(join(manager.paths.root, 'container-locks', found.id), 60_000);
  return lock.withLock(async () => {
    const rec = await manager.containers.get(found.id);
    if (!rec) throw new NoSuchContainerError(query);
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      // A foreground run records no pid: ask its runc; when runc no longer knows it, it has stopped (copy from the overlay).
      // runc failing to answer counts as not running: the copy then uses the overlay.
      const pid = rec.state.pid || (await manager.runcFor(rec).state(rec.id).catch(() => undefined))?.pid || 0;
      // The process ended meanwhile: the copy uses the overlay instead.
      const rooted = pid > 0 ? await RootedFs.open(`/proc/${pid}/root`).catch(() => undefined) : undefined;
      if (rooted) {
        try {
          return await fn(new ContainerFs(rooted, rec.request.readOnlyRootfs), rec);
        } finally {
          await rooted.close();
        }
      }
    }
    const merged = manager.paths.merged(rec.id);
    let mountedHere = false;
    if (!(await isMounted(merged))) {
      await mountRootfs({ layerDirsTopFirst: await layerDirsTopFirst(rec), upper: manager.paths.upper(rec.id), work: manager.paths.work(rec.id), merged, linkDir: manager.paths.layerLinks(rec.id) });
      mountedHere = true;
    }
    try {
      const rooted = await RootedFs.open(merged, await stoppedMounts(manager, rec));
      try {
        return await fn(new ContainerFs(rooted, rec.request.readOnlyRootfs), rec);
      } finally {
        await rooted.close();
      }
    } finally {
      if (mountedHere) await unmountRootfs(merged);
    }
  });
}

/** What the container has mounted when it runs, for the ones that live on the host. */
async function stoppedMounts(manager: ContainerManager, rec: ContainerRecord): Promise<RootMount[]> {
  const exists = (p: string) => access(p).then(() => true, () => false);
  const mounts: RootMount[] = [];
  for (const b of rec.request.binds) mounts.push({ destination: posix.normalize(b.destination), source: b.source, readOnly: b.readOnly });
  for (const v of rec.request.volumes) {
    const data = manager.volumes.dataPath(v.name);
    if (await exists(data)) mounts.push({ destination: posix.normalize(v.destination), source: data, readOnly: v.readOnly });
  }
  for (const [dest, file] of [['/etc/hosts', manager.paths.hosts(rec.id)], ['/etc/hostname', manager.paths.hostname(rec.id)], ['/etc/resolv.conf', manager.paths.resolvConf(rec.id)]] as const) {
    if (await exists(file)) mounts.push({ destination: dest, source: file, readOnly: false });
  }
  return mounts;
}
