import type { Digest } from '../oci/digest.js';
import type { NetworkMode, NetworkRequest } from '../network/network-request.js';
import type { Propagation } from './volume-spec.js';

/** Docker's container states. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
  /** `-v ...:rshared` and the like; runc's default (rprivate) when absent. */
  propagation?: Propagation;
}

export interface VolumeMount {
  /** Named volume, or a generated name for an anonymous one (from the image's VOLUME). */
  name: string;
  destination: string;
  readOnly: boolean;
  anonymous: boolean;
  propagation?: Propagation;
  /** `-v name:/path:nocopy`: a new volume is not filled with the image's files at its path. */
  noCopy?: boolean;
}

export interface TmpfsMount {
  destination: string;
  /** mount options as given after ':' in --tmpfs, e.g. ["rw", "size=64m"] */
  options: string[];
}

/** Defined by network (below runtime); re-exported for the request's users. */
export type { NetworkMode };

/** What the user asked for at create time (Docker's Config + HostConfig, flattened); the networking fields are network's NetworkRequest. */
export interface ContainerSpecRequest extends NetworkRequest {
  /** The image as the user named it (`busybox`), shown in ps' IMAGE column. */
  image: string;
  cmd?: string[];
  /** undefined: the image's; [] (from --entrypoint "") clears it. */
  entrypoint?: string[];
  env: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  tty: boolean;
  interactive: boolean;
  labels: Record<string, string>;
  binds: BindMount[];
  volumes: VolumeMount[];
  tmpfs: TmpfsMount[];
  readOnlyRootfs: boolean;
  init: boolean;
  /** bytes */
  memory?: number;
  /** CPUs, e.g. 0.5 */
  cpus?: number;
  pidsLimit?: number;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpt: string[];
  autoRemove: boolean;
  stopSignal?: string;
  /** seconds */
  stopTimeout?: number;
}

/** The live part of a container, Docker's State object. */
export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  /** ISO times; '0001-01-01T00:00:00Z' when not yet. */
  startedAt: string;
  finishedAt: string;
  error: string;
}

/** A container as stored in containers/<id>/container.json. */
export interface ContainerRecord {
  /** 64 lowercase hex */
  id: string;
  name: string;
  imageId: Digest;
  created: string;
  request: ContainerSpecRequest;
  /** The process as resolved from image config + request: path + args. */
  path: string;
  args: string[];
  /** Resolved environment, working dir and user (uid:gid) the process runs with. */
  env: string[];
  workdir: string;
  user: string;
  hostname: string;
  stopSignal: string;
  state: ContainerState;
  /** Number of times the container was restarted by `restart`. */
  restartCount: number;
  /**
   * Who watches the running process: conmon (detached; survives tsdock), or the tsdock
   * process `ownerPid` that runs it in the foreground and records its exit.
   */
  monitor: 'conmon' | 'foreground';
  ownerPid: number;
  /**
   * The run root (TSDOCK_RUN_ROOT) its last start used: runc's state, conmon's exit file, pid
   * file and attach socket of that run live under it, whatever run root a later command has.
   * Absent in records written before it existed: the current run root.
   */
  runRoot?: string;
  /**
   * The tsdock process starting the container, written before anything is set up and removed
   * once the start is recorded: when that process is gone, the start was cut short and the
   * next command reconciles the record with runc's real state.
   */
  startingPid?: number;
  /** The `commit` process that froze the container: when it is gone, the freeze is undone. */
  frozenByPid?: number;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
