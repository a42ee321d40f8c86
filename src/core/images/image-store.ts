import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, type Digest } from '../oci/digest.js';
import type { ImageRecord } from './image-record.js';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { unlessMissing } from '../store/missing-path.js';

/** Full reference (`docker.io/library/busybox:latest`) -> image ID. */
export type TagMap = Record<string, Digest>;

/**
 * Image records (images/<id hex>.json) and the tag map (repositories.json). Callers hold the
 * store lock around read-modify-write sequences; every single write is atomic.
 */
export class ImageStore {
  private readonly dir: string;
  private readonly tagFile: string;

  constructor(root: string) {
    this.dir = join(root, 'images');
    this.tagFile = join(root, 'repositories.json');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async get(id: Digest): Promise<ImageRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, `${digestHex(id)}.json`), 'utf8')) as ImageRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(record: ImageRecord): Promise<void> {
    await writeJsonAtomic(join(this.dir, `${digestHex(record.id)}.json`), record);
  }

  async delete(id: Digest): Promise<void> {
    await unlink(join(this.dir, `${digestHex(id)}.json`)).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }

  async list(): Promise<ImageRecord[]> {
    const names = (await unlessMissing(readdir(this.dir), [] as string[])).filter((n) => /^[a-f0-9]{64}\.json$/.test(n));
    const records = await Promise.all(names.map((n) => this.get(`sha256:${n.slice(0, 64)}` as Digest)));
    return records.filter((r): r is ImageRecord => r !== undefined);
  }

  async tags(): Promise<TagMap> {
    try {
      return JSON.parse(await readFile(this.tagFile, 'utf8')) as TagMap;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  async saveTags(tags: TagMap): Promise<void> {
    await writeJsonAtomic(this.tagFile, tags);
  }
}
