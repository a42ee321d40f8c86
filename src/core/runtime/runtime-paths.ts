import { join } from 'node:path';

/** Where a container's files live: persistent ones under the store root, volatile ones under /run. */
export class RuntimePaths {
  constructor(
    readonly root: string,
    readonly runRoot: string,
  ) {}

  get containersDir(): string {
    return join(this.root, 'containers');
  }
  get volumesDir(): string {
    return join(this.root, 'volumes');
  }
  /** runc's own state (--root). */
  get runcRoot(): string {
    return join(this.runRoot, 'runc');
  }
  /** conmon writes <id> here with the exit code when the container's process ends. */
  get exitDir(): string {
    return join(this.runRoot, 'exits');
  }
  get socketDir(): string {
    return join(this.runRoot, 'socket');
  }

  containerDir(id: string): string {
    return join(this.containersDir, id);
  }
  record(id: string): string {
    return join(this.containerDir(id), 'container.json');
  }
  upper(id: string): string {
    return join(this.containerDir(id), 'upper');
  }
  work(id: string): string {
    return join(this.containerDir(id), 'work');
  }
  merged(id: string): string {
    return join(this.containerDir(id), 'merged');
  }
  /**
   * conmon's attach socket (SOCK_SEQPACKET). It lives in the bundle: the link conmon makes to it
   * under socketDir is cut short when the path would not fit a socket address.
   */
  attachSocket(id: string): string {
    return join(this.bundle(id), 'attach');
  }
  /** conmon's control fifo (window resizes), in the bundle. */
  controlFifo(id: string): string {
    return join(this.bundle(id), 'ctl');
  }
  /** The OCI bundle: config.json whose root.path is merged/. */
  bundle(id: string): string {
    return join(this.containerDir(id), 'bundle');
  }
  log(id: string): string {
    return join(this.containerDir(id), 'ctr.log');
  }
  hosts(id: string): string {
    return join(this.containerDir(id), 'hosts');
  }
  hostname(id: string): string {
    return join(this.containerDir(id), 'hostname');
  }
  resolvConf(id: string): string {
    return join(this.containerDir(id), 'resolv.conf');
  }
  /** conmon's persist dir: it writes `oom` here when the kernel OOM-killed the container. */
  persist(id: string): string {
    return join(this.runRoot, 'persist', id);
  }
  conmonPidFile(id: string): string {
    return join(this.runRoot, 'persist', id, 'conmon.pid');
  }
  exitFile(id: string): string {
    return join(this.exitDir, id);
  }
  /** Lower dirs are reached through short links so the overlay mount options fit in a page. */
  layerLinks(id: string): string {
    return join(this.containerDir(id), 'l');
  }
}

/** Default volatile state directory, cleared at boot like Docker's /run/docker. */
export const DEFAULT_RUN_ROOT = '/run/tsdock';
