import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerReconciler } from './container-reconciliation.js';
import type { OciSpec } from './oci-spec.js';
import { applyTransition } from './container-state-machine.js';
import { createWithConmon } from './conmon.js';
import { prepareContainer } from './container-prepare.js';
import { startFailureExitCode } from './start-failure.js';
import { TsdockError } from '../errors.js';

/**
 * The steps of a start shared by `start` and the foreground run: record the intent, set the
 * container up (rootfs, network, bundle), have conmon create it, and record the outcome.
 * The caller holds the container's lock throughout.
 */
export class ContainerStarter {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly reconciler: ContainerReconciler,
  ) {}

  private async layerDirs(rec: ContainerRecord): Promise<string[]> {
    const image = await this.ctx.store.images.get(rec.imageId);
    if (!image) throw new TsdockError('not-found', `the image of container ${rec.name} (${rec.imageId}) is gone`);
    return image.layers.map((l) => this.ctx.store.layers.diffPath(l.diffId)).reverse();
  }

  private async prepare(rec: ContainerRecord, terminal: boolean): Promise<OciSpec> {
    const run = this.ctx.runtimePathsOf(rec);
    await rm(run.exitFile(rec.id), { force: true });
    await rm(run.persist(rec.id), { recursive: true, force: true });
    await mkdir(run.persist(rec.id), { recursive: true });
    // Bridge networking (netns + CNI ADD) runs alongside the rootfs work; both are done before
    // runc joins the netns. A failure of either is cleaned up by the caller's recordFailure.
    const joined = rec.request.network === 'container' ? await this.joinedNetns(rec) : undefined;
    const [network, spec] = await Promise.allSettled([
      this.ctx.networking.setup(rec),
      Promise.all([this.layerDirs(rec), this.recursiveReadOnlyFor(rec)]).then(([layerDirsTopFirst, recursiveReadOnly]) =>
        prepareContainer(
          rec,
          {
            paths: this.ctx.paths,
            volumes: this.ctx.volumes,
            initBinary: this.ctx.settings.initBinary,
            layerDirsTopFirst,
            netnsPath: joined?.netnsPath ?? this.ctx.networking.plannedNetnsPath(rec),
            etcFilesOf: joined?.containerId,
            recursiveReadOnly,
          },
          { terminal },
        ),
      ),
    ]);
    if (network.status === 'rejected') throw network.reason;
    if (spec.status === 'rejected') throw spec.reason;
    await this.ctx.networking.writeEtcFiles(rec);
    return spec.value;
  }

  /** The runtime is asked only when there is a read-only bind or volume to make recursive. */
  private async recursiveReadOnlyFor(rec: ContainerRecord): Promise<boolean> {
    return [...rec.request.binds, ...rec.request.volumes].some((m) => m.readOnly) && this.ctx.runc.supportsRecursiveReadOnly();
  }

  /** For `--network container:NAME`: the running container's netns to join (its files are shared too). */
  private async joinedNetns(rec: ContainerRecord): Promise<{ netnsPath: string; containerId: string }> {
    const targetId = rec.request.networkContainer ?? '';
    const stored = await this.ctx.containers.get(targetId);
    if (!stored) throw new TsdockError('not-found', `the container whose network ${rec.name} joins (${targetId.slice(0, 12)}) no longer exists; remove ${rec.name} and create it again`);
    const target = await this.reconciler.refresh(stored);
    if (target.state.status !== 'running' && target.state.status !== 'paused') {
      throw new TsdockError('conflict', `cannot join network of a non running container: ${target.id}; start ${target.name} first`);
    }
    const pid = target.state.pid || (await this.ctx.runcFor(target).state(target.id))?.pid;
    if (!pid) throw new TsdockError('conflict', `cannot join network of container ${target.name}: its process is not known`);
    return { netnsPath: `/proc/${pid}/ns/net`, containerId: target.id };
  }

  /**
   * Records the start's intent (startingPid) before anything is set up, so a tsdock killed
   * anywhere until the start is recorded leaves a record the next command can reconcile with
   * runc; then sets the container up (rootfs, network, bundle).
   */
  async beginStart(rec: ContainerRecord): Promise<void> {
    rec.startingPid = process.pid;
    await this.ctx.containers.put(rec);
    await this.prepare(rec, rec.request.tty);
  }

  /**
   * Has conmon create the set-up container (`runc create`); the caller then runs `runc start`.
   * conmon outlives tsdock: it keeps the log, records the exit and runs the exit command
   * (`container cleanup`: record the exit, honour --rm). A foreground run's own tsdock does
   * that itself while it lives, so its exit command only runs when that process is gone.
   */
  async createUnderConmon(rec: ContainerRecord, foreground: boolean): Promise<number> {
    const cleanup = [...this.ctx.settings.selfCommand, ...this.ctx.settings.selfArgs, 'container', 'cleanup', rec.id];
    return createWithConmon({
      conmonBinary: this.ctx.settings.conmonBinary,
      runcBinary: this.ctx.settings.runcBinary,
      runcRoot: this.ctx.paths.runcRoot,
      id: rec.id,
      name: rec.name,
      bundle: this.ctx.paths.bundle(rec.id),
      containerPidFile: join(this.ctx.paths.bundle(rec.id), 'pidfile'),
      conmonPidFile: this.ctx.paths.conmonPidFile(rec.id),
      logPath: this.ctx.paths.log(rec.id),
      exitDir: this.ctx.paths.exitDir,
      persistDir: this.ctx.paths.persist(rec.id),
      socketDir: this.ctx.paths.socketDir,
      tty: rec.request.tty,
      stdin: rec.request.interactive,
      leaveStdinOpen: !foreground,
      exitCommand: foreground ? ['/bin/sh', '-c', 'kill -0 "$0" 2>/dev/null || exec "$@"', String(process.pid), ...cleanup] : cleanup,
    });
  }

  async recordStarted(rec: ContainerRecord, pid: number): Promise<void> {
    rec.monitor = 'conmon';
    rec.ownerPid = 0;
    delete rec.startingPid;
    rec.state = applyTransition(rec.state, 'start', { pid }, rec.name);
    await this.ctx.containers.put(rec);
  }

  async recordFailure(rec: ContainerRecord, err: Error): Promise<void> {
    await this.reconciler.cleanupRuntime(rec);
    // Docker keeps a container that failed to start with the error and exit 127/126: "created"
    // when it never ran, "exited" when it had run before (its state derives from StartedAt).
    delete rec.startingPid;
    rec.state = applyTransition(rec.state, 'startFailed', { exitCode: startFailureExitCode(err), error: err.message });
    await this.ctx.containers.put(rec);
  }
}
