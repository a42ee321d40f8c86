import type { ContainerManager } from '../runtime/container-manager.js';
import type { StoreLock } from '../store/store-lock.js';
import { VolumeNotFoundError } from '../runtime/volume-store.js';
import {
  matchesVolumeFilter,
  naturalCompare,
  pruneVolumes,
  randomVolumeName,
  removeVolume,
  validateVolumeName,
  VolumeError,
  volumeInspect,
  volumeLabels,
  volumeUsers,
  type VolumeFilter,
  type VolumePruneResult,
} from '../runtime/volume-ops.js';
import { TsdockError } from '../errors.js';

export interface VolumeCreateOptions {
  /** Without a name the volume gets a random one and is anonymous (Docker 23+: `volume prune` removes it by default). */
  name?: string;
  /** Only `local` exists. */
  driver?: string;
  /** Driver options (`-o`): the local driver takes none. */
  driverOptions?: string[];
  labels?: Record<string, string>;
}

/** One row of `volume ls`. */
export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  labels: Record<string, string>;
  created: string;
  /** How many containers (any state) mount it. */
  users: number;
}

/** `volume create|ls|inspect|rm|prune`: the in-use checks and the store lock are taken here. */
export class VolumeService {
  constructor(
    private readonly manager: ContainerManager,
    private readonly lock: StoreLock,
  ) {}

  /** Returns the name of the volume (the given one, or the random one picked). */
  async create(opts: VolumeCreateOptions = {}): Promise<string> {
    const driver = opts.driver ?? 'local';
    if (driver !== 'local') throw new VolumeError(`create: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    if (opts.driverOptions?.length) throw new VolumeError('create: tsdock\'s local driver takes no options (-o)');
    const name = opts.name ?? randomVolumeName();
    validateVolumeName(name);
    await this.manager.volumes.ensure(name, { labels: opts.labels ?? {}, anonymous: opts.name === undefined });
    return name;
  }

  /** Volumes matching `filter`, by name in natural order. */
  async list(filter?: VolumeFilter): Promise<VolumeSummary[]> {
    const all = await this.manager.containers.list();
    return (await this.manager.volumes.list())
      .map((v) => ({ v, users: volumeUsers(v.name, all).length }))
      .filter(({ v, users }) => !filter || matchesVolumeFilter(v, users, filter))
      .sort((a, b) => naturalCompare(a.v.name, b.v.name))
      .map(({ v, users }) => ({ name: v.name, driver: v.driver, mountpoint: this.manager.volumes.dataPath(v.name), labels: volumeLabels(v), created: v.created, users }));
  }

  /** Docker's `volume inspect` object; undefined when there is no such volume. */
  async inspect(name: string): Promise<Record<string, unknown> | undefined> {
    const v = await this.manager.volumes.get(name);
    return v && volumeInspect(v, this.manager.volumes.dataPath(name));
  }

  /** Refuses a volume in use (even with `force`, as Docker); `force` makes a missing volume no error. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      await removeVolume(this.manager.volumes, this.lock, () => this.manager.containers.list(), name, opts.force === true);
    } catch (err) {
      if (err instanceof VolumeNotFoundError) throw new TsdockError('not-found', `get ${name}: no such volume`, { cause: err });
      throw err;
    }
  }

  /** Unused volumes: anonymous ones, or with `all` every one; `filter` narrows further. */
  prune(opts: { all?: boolean; filter?: VolumeFilter } = {}): Promise<VolumePruneResult> {
    return pruneVolumes(this.manager.volumes, this.lock, () => this.manager.containers.list(), opts);
  }
}
