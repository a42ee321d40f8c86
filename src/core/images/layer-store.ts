import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, type Digest } from '../oci/digest.js';
import { tempName, writeJsonAtomic } from '../store/atomic-file.js';
import { pidOfTempName, processAlive } from '../process/process-alive.js';
import type { WhiteoutConverter } from './layer-unpack.js';
import { overlayWhiteouts } from './overlay-whiteouts.js';
import { unlessMissing } from '../store/missing-path.js';

export interface LayerInfo {
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
}

/**
 * Unpacked layers, one directory each (layers/<diffId hex>/diff), stacked later as overlayfs
 * lowerdirs. A layer is unpacked into a temp directory and renamed into place only once its
 * diffID was verified, so a layer directory that exists is complete. Layers are shared by
 * every image that lists the same diffID.
 */
export class LayerStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'layers');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** The directory an overlay lowerdir points to. */
  diffPath(diffId: Digest): string {
    return join(this.dir, digestHex(diffId), 'diff');
  }

  async has(diffId: Digest): Promise<boolean> {
    return stat(join(this.dir, digestHex(diffId), 'layer.json')).then(
      () => true,
      () => false,
    );
  }

  async info(diffId: Digest): Promise<LayerInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, digestHex(diffId), 'layer.json'), 'utf8')) as LayerInfo;
    } catch {
      // Missing or torn record: the layer is not (fully) in the store.
      return undefined;
    }
  }

  /** How a layer's OCI whiteouts are unpacked: the layers are overlay lowerdirs, so as overlayfs ones. */
  whiteoutConverter(): WhiteoutConverter {
    return overlayWhiteouts();
  }

  /** A fresh private directory to unpack into; hand it to commit() or discard(). */
  async begin(diffId: Digest): Promise<PendingLayer> {
    const tmp = tempName(this.dir, digestHex(diffId).slice(0, 12));
    await mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    return { tmpDir: tmp, diffDir: join(tmp, 'diff') };
  }

  async commit(pending: PendingLayer, info: LayerInfo): Promise<void> {
    await writeJsonAtomic(join(pending.tmpDir, 'layer.json'), info);
    try {
      await rename(pending.tmpDir, join(this.dir, digestHex(info.diffId)));
    } catch (err) {
      // Another process committed the same layer first: theirs is as good as ours.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await this.discard(pending);
    }
  }

  async discard(pending: PendingLayer): Promise<void> {
    await rm(pending.tmpDir, { recursive: true, force: true });
  }

  async list(): Promise<Digest[]> {
    const names = await unlessMissing(readdir(this.dir), [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}` as Digest);
  }

  /** Moves the layer out of sight in one rename, then deletes it, so no half-deleted layer is ever visible. */
  async delete(diffId: Digest): Promise<void> {
    const aside = tempName(this.dir, `del-${digestHex(diffId).slice(0, 12)}`);
    try {
      await rename(join(this.dir, digestHex(diffId)), aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
  }

  /** Removes unpacks and deletions cut short by a crash. */
  async removeAbandoned(): Promise<number> {
    let removed = 0;
    for (const name of await unlessMissing(readdir(this.dir), [] as string[])) {
      const pid = pidOfTempName(name);
      if (name.startsWith('.tmp-') && (pid === undefined || !processAlive(pid))) {
        await rm(join(this.dir, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

export interface PendingLayer {
  tmpDir: string;
  diffDir: string;
}
