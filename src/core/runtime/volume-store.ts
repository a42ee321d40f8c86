import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { TsdockError, type ErrorKind } from '../errors.js';
import { unlessMissing } from '../store/missing-path.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  created: string;
  labels: Record<string, string>;
  /** Made for an image VOLUME without a name: removed with `rm -v` and `--rm`. */
  anonymous: boolean;
}

export class VolumeNotFoundError extends TsdockError {
  constructor(name: string) {
    super('not-found', `no such volume: ${name}`);
  }
}

export class VolumeInUseError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Named volumes: volumes/<name>/_data holds the data, volumes/<name>/volume.json the record. */
export class VolumeStore {
  constructor(private readonly dir: string) {}

  dataPath(name: string): string {
    return join(this.dir, name, '_data');
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, name, 'volume.json'), 'utf8')) as VolumeRecord;
    } catch {
      // Missing or torn record: no such volume.
      return undefined;
    }
  }

  /** Creates the volume unless it exists; returns it and whether it is new (new ones get the image's content copied in). */
  async ensure(name: string, opts: { anonymous?: boolean; labels?: Record<string, string> } = {}): Promise<{ volume: VolumeRecord; created: boolean }> {
    if (!VOLUME_NAME.test(name)) throw new TsdockError('invalid-argument', `invalid volume name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters`);
    const existing = await this.get(name);
    if (existing) return { volume: existing, created: false };
    await mkdir(this.dataPath(name), { recursive: true, mode: 0o755 });
    const volume: VolumeRecord = { name, driver: 'local', created: new Date().toISOString(), labels: opts.labels ?? {}, anonymous: opts.anonymous ?? false };
    await writeJsonAtomic(join(this.dir, name, 'volume.json'), volume);
    return { volume, created: true };
  }

  async list(): Promise<VolumeRecord[]> {
    const names = await unlessMissing(readdir(this.dir), [] as string[]);
    const recs = await Promise.all(names.map((n) => this.get(n)));
    return recs.filter((r): r is VolumeRecord => r !== undefined);
  }

  async remove(name: string): Promise<void> {
    if (!(await unlessMissing(stat(join(this.dir, name)), undefined))) throw new VolumeNotFoundError(name);
    await rm(join(this.dir, name), { recursive: true, force: true });
  }
}
