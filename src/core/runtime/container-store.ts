import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { ContainerRecord } from './container-record.js';
import type { RuntimePaths } from './runtime-paths.js';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { unlessMissing } from '../store/missing-path.js';

/** Container records, one JSON file per container directory. */
export class ContainerStore {
  constructor(private readonly paths: RuntimePaths) {}

  async init(): Promise<void> {
    await mkdir(this.paths.containersDir, { recursive: true, mode: 0o711 });
  }

  async get(id: string): Promise<ContainerRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.paths.record(id), 'utf8')) as ContainerRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(rec: ContainerRecord): Promise<void> {
    await writeJsonAtomic(this.paths.record(rec.id), rec, 0o644, false);
  }

  /** Every stored container. A directory without a record (a create killed half-way) is skipped. */
  async list(): Promise<ContainerRecord[]> {
    const ids = (await unlessMissing(readdir(this.paths.containersDir), [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n));
    const recs = await Promise.all(ids.map((id) => this.get(id)));
    return recs.filter((r): r is ContainerRecord => r !== undefined);
  }

  /**
   * Container directories that have no record: leftovers of a create that was killed. A
   * directory younger than `minAgeMs` may be a create in flight in another tsdock process (the
   * TUI opening while `tsdock create` runs): it is left alone.
   */
  async orphanDirs(minAgeMs = 60_000, now = Date.now()): Promise<string[]> {
    const ids = (await unlessMissing(readdir(this.paths.containersDir), [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n));
    const out: string[] = [];
    for (const id of ids) {
      if (await this.get(id)) continue;
      const changed = await stat(this.paths.containerDir(id)).then((s) => s.mtimeMs, () => undefined);
      if (changed !== undefined && now - changed >= minAgeMs) out.push(id);
    }
    return out;
  }

  async removeDir(id: string): Promise<void> {
    await rm(this.paths.containerDir(id), { recursive: true, force: true });
  }
}
