import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerRecord, ContainerSpecRequest } from './container-record.js';
import { ZERO_TIME } from './container-record.js';
import { ContainerStore } from './container-store.js';
import { RuntimePaths } from './runtime-paths.js';
import { VolumeStore } from './volume-store.js';
import { Runc, RuntimeError } from './runc.js';
import { resolveContainerUser } from './container-prepare.js';
import { ContainerNetworking } from '../network/container-networking.js';
import { unmountRootfs } from './rootfs-mount.js';
import { followUntilExit } from './log-follower.js';
import { applyTransition, transition } from './container-state-machine.js';
import { NoSuchContainerError, resolveContainer } from './container-id.js';
import type { ContainerContext, RuntimeSettings } from './container-context.js';
import { createContainer } from './container-creation.js';
import { ContainerStarter } from './container-start.js';
import { runAttached, type AttachStreams } from './foreground-run.js';
import { ContainerReconciler } from './container-reconciliation.js';
import { trace } from '../trace.js';
import { StoreLock } from '../store/store-lock.js';
import type { Store } from '../images/store.js';
import type { ImageRecord } from '../images/image-record.js';
import type { ImageConfig } from '../images/image-config.js';
import type { OciSpec } from './oci-spec.js';
import { TsdockError, isErrorKind } from '../errors.js';

// Moved to modules of their own; exported here too for the callers that know them from here.
export type { RuntimeSettings } from './container-context.js';
export type { AttachStreams } from './foreground-run.js';
export { NameConflictError } from './container-creation.js';

/**
 * Container lifecycle over runc and conmon. Records are the source of truth for what the
 * user asked; the process state is reconciled from conmon's exit files and runc whenever a
 * container is read, so every command shows the truth even after tsdock itself was killed.
 */
export class ContainerManager implements ContainerContext {
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
  readonly runc: Runc;
  readonly networking: ContainerNetworking;
  private readonly reconciler: ContainerReconciler;
  private readonly starter: ContainerStarter;

  constructor(
    readonly store: Store,
    readonly paths: RuntimePaths,
    readonly settings: RuntimeSettings,
    private readonly imageConfig: (image: ImageRecord) => Promise<ImageConfig>,
  ) {
    this.containers = new ContainerStore(paths);
    this.volumes = new VolumeStore(paths.volumesDir);
    this.runc = new Runc(settings.runcBinary, paths.runcRoot);
    this.networking = new ContainerNetworking(paths, settings.network);
    this.reconciler = new ContainerReconciler(this);
    this.starter = new ContainerStarter(this, this.reconciler);
  }

  async init(): Promise<void> {
    await this.containers.init();
    for (const d of [this.paths.runRoot, this.paths.exitDir, this.paths.socketDir, join(this.paths.runRoot, 'persist'), join(this.paths.root, 'container-locks'), this.paths.volumesDir]) {
      await mkdir(d, { recursive: true, mode: 0o711 });
    }
    // A create killed before its record was written leaves a bare directory.
    for (const id of await this.containers.orphanDirs()) {
      // Usually never mounted: the directory goes either way, and removeDir reports what cannot.
      await unmountRootfs(this.paths.merged(id)).catch(() => {});
      await this.containers.removeDir(id);
    }
    // Network namespaces, veths, leases and iptables rules of containers that no longer run.
    await this.networking.collectGarbage({ record: (id) => this.containers.get(id), refresh: (r) => this.refresh(r), withLock: (id, fn) => this.lockFor(id).withLock(fn) });
  }

  lockFor(id: string): StoreLock {
    return new StoreLock(join(this.paths.root, 'container-locks', id), 60_000);
  }

  /**
   * The paths of a container's run: under the run root recorded at its start, not this
   * process's, so a tsdock with another TSDOCK_RUN_ROOT (sudo drops it) finds its runc state,
   * exit file and conmon instead of declaring it dead.
   */
  runtimePathsOf(rec: ContainerRecord): RuntimePaths {
    const runRoot = rec.runRoot ?? this.paths.runRoot;
    return runRoot === this.paths.runRoot ? this.paths : new RuntimePaths(this.paths.root, runRoot);
  }

  /** runc with the container's own state root (see runtimePathsOf). */
  runcFor(rec: ContainerRecord): Runc {
    const paths = this.runtimePathsOf(rec);
    return paths === this.paths ? this.runc : new Runc(this.settings.runcBinary, paths.runcRoot);
  }

  // ---- lookup ----

  async list(): Promise<ContainerRecord[]> {
    const all = await this.containers.list();
    return Promise.all(all.map((r) => this.refresh(r)));
  }

  /** `logs -f`: calls `onLine` with each log line written from byte `offset` on, until the container stops. */
  async followLogUntilExit(id: string, offset: number, onLine: (line: string) => void): Promise<void> {
    const rec = await this.containers.get(id);
    if (!rec) return;
    return followUntilExit(this.paths.log(id), offset, {
      exitDir: this.runtimePathsOf(rec).exitDir,
      isRunning: async () => {
        const status = (await this.current(id))?.state.status;
        return status === 'running' || status === 'paused' || status === 'restarting';
      },
      onLine,
    });
  }

  /** One container by full ID, reconciled with its process; undefined once it is removed. Cheaper than find(), which reads every record. */
  async current(id: string): Promise<ContainerRecord | undefined> {
    const rec = await this.containers.get(id);
    return rec && this.refresh(rec);
  }

  async find(query: string): Promise<ContainerRecord> {
    const rec = resolveContainer(await this.containers.list(), query);
    return this.refresh(rec);
  }

  /**
   * The record again once its lock is held (the caller holds it): another tsdock (`rm -f`) may
   * have removed it since find() saw it, and then the user gets Docker's "No such container".
   */
  private async lockedCurrent(id: string, query: string): Promise<ContainerRecord> {
    const rec = await this.containers.get(id);
    if (!rec) throw new NoSuchContainerError(query);
    return this.refresh(rec, { lockHeld: true });
  }

  // ---- create ----

  /** Creates a container's record (see container-creation.ts). */
  create(image: ImageRecord, req: ContainerSpecRequest, name?: string): Promise<ContainerRecord> {
    return createContainer(this, { imageConfig: (image) => this.imageConfig(image), find: (q) => this.find(q) }, image, req, name);
  }

  // ---- start ----

  /**
   * A running container that conmon holds, with the paths to attach to it; refused, with what
   * to do instead, for one in the foreground of another tsdock or (with `needTty`) without -it.
   */
  async attachTarget(query: string, opts: { needTty?: boolean } = {}): Promise<{ rec: ContainerRecord; socketPath: string; controlPath: string }> {
    const rec = await this.find(query);
    transition(rec.state.status, 'attach', rec.name);
    if (rec.monitor !== 'conmon') throw new TsdockError('conflict', `container ${rec.name} runs in the foreground of another tsdock process; attach works for containers started with -d or start`);
    if (opts.needTty && (!rec.request.tty || !rec.request.interactive)) {
      throw new TsdockError('conflict', `container ${rec.name} was not started with -it: it has no terminal to attach to (its logs and exec still work)`);
    }
    return { rec, socketPath: this.runtimePathsOf(rec).attachSocket(rec.id), controlPath: this.paths.controlFifo(rec.id) };
  }

  /** Starts a container detached, under conmon. */
  async start(query: string): Promise<ContainerRecord> {
    const found = await this.find(query);
    return this.lockFor(found.id).withLock(async () => {
      const rec = await this.lockedCurrent(found.id, query);
      if (rec.state.status === 'running') return rec;
      transition(rec.state.status, 'start', rec.name);
      if (rec.state.startedAt !== ZERO_TIME) await this.reconciler.cleanupRuntime(rec);
      // Nothing of the last run is left: this run lives under this process's run root.
      rec.runRoot = this.paths.runRoot;
      try {
        await this.starter.beginStart(rec);
        const pid = await this.starter.createUnderConmon(rec, false);
        await this.runc.start(rec.id);
        await this.starter.recordStarted(rec, pid);
        return rec;
      } catch (err) {
        await this.starter.recordFailure(rec, err as Error);
        throw err;
      }
    });
  }

  /**
   * Runs a container in the foreground of this process (`run` without -d, `start -a`); see
   * foreground-run.ts. Resolves with the exit code.
   */
  runAttached(query: string, io: AttachStreams): Promise<number> {
    return runAttached(
      {
        ctx: this,
        starter: this.starter,
        reconciler: this.reconciler,
        find: (q) => this.find(q),
        lockedCurrent: (id, q) => this.lockedCurrent(id, q),
        current: (id) => this.current(id),
        destroy: (rec, volumes) => this.destroy(rec, volumes),
      },
      query,
      io,
    );
  }

  // ---- stop / kill / pause ----

  async stop(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.find(query);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') return rec;
    const timeout = timeoutSeconds ?? rec.request.stopTimeout ?? 10;
    const runc = this.runcFor(rec);
// A paused container is thawed so the signal is delivered; one that ended meanwhile needs no thaw.
    if (rec.state.status === 'paused') await runc.resume(rec.id).catch(() => {});
    await runc.kill(rec.id, rec.stopSignal).catch(ignoreGone);
    if (!(await this.waitExited(rec.id, timeout * 1000))) {
      await runc.kill(rec.id, 'SIGKILL', true).catch(ignoreGone);
      await this.waitExited(rec.id, 30_000);
    }
    return this.find(rec.id);
  }

  async kill(query: string, signal = 'SIGKILL'): Promise<ContainerRecord> {
    const rec = await this.find(query);
    transition(rec.state.status, 'kill', rec.name);
    await this.runcFor(rec).kill(rec.id, signal.startsWith('SIG') || /^\d+$/.test(signal) ? signal : `SIG${signal}`);
    return rec;
  }

  async pause(query: string): Promise<ContainerRecord> {
    return this.setPaused(query, true);
  }

  async unpause(query: string): Promise<ContainerRecord> {
    return this.setPaused(query, false);
  }

  private async setPaused(query: string, paused: boolean): Promise<ContainerRecord> {
    const found = await this.find(query);
    return this.lockFor(found.id).withLock(async () => {
      const rec = await this.lockedCurrent(found.id, query);
      rec.state = applyTransition(rec.state, paused ? 'pause' : 'unpause', {}, rec.name);
      if (paused) await this.runcFor(rec).pause(rec.id);
      else await this.runcFor(rec).resume(rec.id);
      await this.containers.put(rec);
      return rec;
    });
  }

  async restart(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.stop(query, timeoutSeconds);
    // Docker's RestartCount counts restart-policy restarts only, not `docker restart`.
    return this.start(rec.id);
  }

  /** Waits for the container to exit; resolves with its exit code (Docker's `wait`). */
  async wait(query: string): Promise<number> {
    const rec = await this.find(query);
    for (;;) {
      const now = await this.current(rec.id);
      if (!now) throw new TsdockError('not-found', `No such container: ${query} (it was removed before its exit was seen)`);
      if (now.state.status === 'exited' || now.state.status === 'dead' || now.state.status === 'created') return now.state.exitCode;
      await sleep(50);
    }
  }

  private async waitExited(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const now = await this.current(id);
      if (!now || (now.state.status !== 'running' && now.state.status !== 'paused')) return true;
      await sleep(20);
    }
    return false;
  }

  // ---- remove ----

  async remove(query: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<ContainerRecord> {
    let rec = await this.find(query);
    if ((rec.state.status === 'running' || rec.state.status === 'paused') && !opts.force) {
      transition(rec.state.status, 'remove', rec.name);
    }
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      const runc = this.runcFor(rec);
// Thawed so SIGKILL is delivered; one that ended meanwhile needs no thaw.
      if (rec.state.status === 'paused') await runc.resume(rec.id).catch(() => {});
      await runc.kill(rec.id, 'SIGKILL', true).catch(ignoreGone);
      await this.waitExited(rec.id, 30_000);
      rec = (await this.containers.get(rec.id)) ?? rec;
    }
    await this.destroy(rec, opts.volumes === true, opts.force === true);
    return rec;
  }

  /**
   * Deletes a container that is not running: runtime leftovers, its directory, and with `volumes` its anonymous volumes.
   * A `start` from another tsdock may have won the lock first: without `force` a container running now is kept;
   * with it, cleanupRuntime's `runc delete --force` kills it.
   */
  private async destroy(rec: ContainerRecord, volumes: boolean, force = true): Promise<void> {
    await this.lockFor(rec.id).withLock(async () => {
      const current = await this.containers.get(rec.id);
      if (!current) return;
      const status = current.state.status;
      if (!force && (status === 'running' || status === 'paused')) transition(status, 'remove', current.name);
      await this.reconciler.cleanupRuntime(current);
      await this.containers.removeDir(rec.id);
      const run = this.runtimePathsOf(current);
      await rm(run.persist(rec.id), { recursive: true, force: true });
      await rm(join(run.socketDir, rec.id), { force: true });
      if (volumes) {
        // Anonymous volumes go best effort, as Docker's rm -v: one removed already or still used elsewhere stays an orphan.
        for (const v of current.request.volumes.filter((x) => x.anonymous)) await this.volumes.remove(v.name).catch(() => {});
      }
    });
  }

  /** `network connect|disconnect`: changes a container's networks; a running one is (de)attached now. */
  async changeNetworks(query: string, change: (rec: ContainerRecord, running: boolean) => Promise<void>): Promise<ContainerRecord> {
    const found = await this.find(query);
    return this.lockFor(found.id).withLock(async () => {
      const rec = (await this.containers.get(found.id)) ?? found;
      await change(rec, rec.state.status === 'running' || rec.state.status === 'paused');
      await this.containers.put(rec);
      return rec;
    });
  }

  // ---- exec ----

  /** Writes a process.json for `runc exec`: the container's process with the exec's changes. */
  async execProcessFile(rec: ContainerRecord, opts: { cmd: string[]; env: string[]; workdir?: string; user?: string; tty: boolean; privileged?: boolean }): Promise<string> {
    const spec = JSON.parse(await readFile(join(this.paths.bundle(rec.id), 'config.json'), 'utf8')) as OciSpec;
    const proc = { ...spec.process };
    const user = opts.user !== undefined ? await resolveContainerUser(this.paths.merged(rec.id), opts.user) : undefined;
    const env = new Map((proc.env ?? []).map((e) => [e.split('=')[0]!, e] as const));
    for (const e of opts.env) env.set(e.split('=')[0]!, e);
    const execProcess = {
      ...proc,
      args: opts.cmd,
      env: [...env.values()],
      cwd: opts.workdir ?? proc.cwd,
      terminal: opts.tty,
      ...(user && { user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } }),
    };
    const file = join(this.paths.bundle(rec.id), `exec-${process.pid}-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(execProcess));
    return file;
  }

  // ---- state reconciliation ----

  /** Brings a record up to date with reality (see container-reconciliation.ts). */
  refresh(rec: ContainerRecord, opts: { lockHeld?: boolean } = {}): Promise<ContainerRecord> {
    return this.reconciler.refresh(rec, opts);
  }

  /**
   * `commit` of a running container: frozen while its layer is read. The committing process is
   * recorded before the freeze, so the next command undoes a freeze whose commit was killed.
   */
  async freezeForCommit(id: string): Promise<void> {
    await this.lockFor(id).withLock(async () => {
      const rec = await this.lockedCurrent(id, id);
      const frozen = applyTransition(rec.state, 'pause', {}, rec.name);
      rec.frozenByPid = process.pid;
      await this.containers.put(rec);
      await this.runcFor(rec).pause(rec.id);
      rec.state = frozen;
      await this.containers.put(rec);
      trace('frozen for commit');
    });
  }

  /** Ends the freeze of freezeForCommit. */
  async thawAfterCommit(id: string): Promise<void> {
    await this.lockFor(id).withLock(async () => {
      const rec = await this.containers.get(id);
      if (rec?.frozenByPid !== undefined) await this.reconciler.thaw(rec);
    });
  }

  /** conmon's exit command: record the exit, clean up, and honour --rm. */
  async cleanupAfterExit(id: string): Promise<void> {
    const rec = await this.containers.get(id);
    // Removed while it ran (`rm -f`): the exit file conmon has just written is all that is left.
    if (!rec) return rm(this.paths.exitFile(id), { force: true });
    const now = await this.refresh(rec);
    if (now.request.autoRemove && now.state.status === 'exited') await this.remove(id, { volumes: true });
  }
}

/** A signal for a container whose process has already ended (runc: not running, or no such container) has nothing left to do. */
function ignoreGone(err: Error): void {
  if (err instanceof RuntimeError && (isErrorKind(err, 'not-found') || isErrorKind(err, 'conflict'))) return;
  throw err;
}
