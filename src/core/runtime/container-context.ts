import type { Store } from '../images/store.js';
import type { StoreLock } from '../store/store-lock.js';
import type { ContainerNetworking, NetworkingSettings } from '../network/container-networking.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import type { RuntimePaths } from './runtime-paths.js';
import type { VolumeStore } from './volume-store.js';
import type { Runc } from './runc.js';

export interface RuntimeSettings {
  runcBinary: string;
  conmonBinary: string;
  initBinary: string;
  /** argv that runs tsdock itself (node + script), for conmon's exit command. */
  selfCommand: string[];
  /** Global flags to pass back to tsdock in that exit command (--root, --config). */
  selfArgs: string[];
  /** CNI plugin dirs, the default bridge and address pools (defaults: /usr/lib/cni, tsdock0, 10.99.0.0/16). */
  network?: Partial<NetworkingSettings>;
}

/**
 * What the parts of the container runtime (creation, start, foreground run, reconciliation,
 * lifecycle) share: the stores, the paths, the runtime driver and the per-container lock.
 * ContainerManager is the one implementation; the parts take it as this interface.
 */
export interface ContainerContext {
  readonly store: Store;
  readonly paths: RuntimePaths;
  readonly settings: RuntimeSettings;
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
  readonly runc: Runc;
  readonly networking: ContainerNetworking;
  /** The container's lock: not reentrant, so a holder passes `lockHeld` instead of taking it again. */
  lockFor(id: string): StoreLock;
  /** The paths of a container's run: under the run root recorded at its start. */
  runtimePathsOf(rec: ContainerRecord): RuntimePaths;
  /** runc with the container's own state root. */
  runcFor(rec: ContainerRecord): Runc;
}
