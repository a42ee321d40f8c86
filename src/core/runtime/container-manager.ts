import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname as osHostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import type { ContainerRecord, ContainerSpecRequest } from './container-record.js';
import { ZERO_TIME } from './container-record.js';
import { ContainerStore } from './container-store.js';
import { RuntimePaths } from './runtime-paths.js';
import { VolumeStore } from './volume-store.js';
import { Runc, RuntimeError } from './runc.js';
import { startFailureExitCode } from './start-failure.js';
import { passOutputUnchanged } from './terminal-output.js';
import { createWithConmon } from './conmon.js';
import { prepareContainer, resolveContainerUser } from './container-prepare.js';
import { ContainerNetworking, type NetworkingSettings } from '../network/container-networking.js';
import { unmountRootfs } from './rootfs-mount.js';
import { followUntilExit } from './log-follower.js';
import { applyTransition, initialState, transition } from './container-state-machine.js';
import { generateName, validateName } from './container-names.js';
import { newContainerId, NoSuchContainerError, resolveContainer } from './container-id.js';
import { resolveProcessArgs } from './process-args.js';
import { buildEnv } from './environment.js';
import { trace } from '../trace.js';
import { StoreLock } from '../store/store-lock.js';
import { processAlive } from '../store/process-alive.js';
import type { Store } from '../store/store.js';
import type { ImageRecord } from '../images/image-record.js';
import type { ImageConfig } from '../images/image-config.js';
import type { OciSpec } from './oci-spec.js';
import { TsdockError, isErrorKind, type ErrorKind } from '../errors.js';

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

export class NameConflictError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

/** Streams a foreground run is attached to. */
export interface AttachStreams {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /**
   * Aborted when the reader of stdout/stderr has gone (`run ... | head -1`): the container then
   * gets SIGPIPE (SIGHUP with a terminal), as a program piped into `head` would, and ends.
   */
  outputClosed?: AbortSignal;
}

/** The exit status runc reports for a process killed by a signal is 128 + signal, as Docker's. */
const UNKNOWN_EXIT = 255;

/**
 * Container lifecycle over runc and conmon. Records are the source of truth for what the
 * user asked; the process state is reconciled from conmon's exit files and runc whenever a
 * container is read, so every command shows the truth even after tsdock itself was killed.
 */
export class ContainerManager {
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
  readonly runc: Runc;
  readonly networking: ContainerNetworking;

  constructor(
    private readonly store: Store,
    readonly paths: RuntimePaths,
    private readonly settings: RuntimeSettings,
    private readonly imageConfig: (image: ImageRecord) => Promise<ImageConfig>,
  ) {
    this.containers = new ContainerStore(paths);
    this.volumes = new VolumeStore(paths.volumesDir);
    this.runc = new Runc(settings.runcBinary, paths.runcRoot);
    this.networking = new ContainerNetworking(paths, settings.network);
  }

  async init(): Promise<void> {
    await this.containers.init();
    for (const d of [this.paths.runRoot, this.paths.exitDir, this.paths.socketDir, join(this.paths.runRoot, 'persist'), join(this.paths.root, 'container-locks'), this.paths.volumesDir]) {
      await mkdir(d, { recursive: true, mode: 0o711 });
    }
    // A create killed before its record was written leaves a bare directory.
    for (const id of await this.containers.orphanDirs()) {
      await unmountRootfs(this.paths.merged(id)).catch(() => {});
      await this.containers.removeDir(id);
    }
    // Network namespaces, veths, leases and iptables rules of containers that no longer run.
    await this.networking.collectGarbage({ record: (id) => this.containers.get(id), refresh: (r) => this.refresh(r), withLock: (id, fn) => this.lockFor(id).withLock(fn) });
  }

  private lockFor(id: string): StoreLock {
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

  async create(image: ImageRecord, req: ContainerSpecRequest, name?: string): Promise<ContainerRecord> {
    trace('create');
    const config = await this.imageConfig(image);
    const defaults = config.config ?? {};
    const { path, args } = resolveProcessArgs(defaults, { entrypoint: req.entrypoint, cmd: req.cmd });
    const id = newContainerId();
    // --network container:NAME names the container it joins by ID from now on.
    const joined = req.network === 'container' ? await this.find(req.networkContainer ?? '') : undefined;
    // Docker: with --network host the container is named as the host unless -h says otherwise,
    // and one that joins another's network takes that one's name.
    const hostname = req.hostname ?? (req.network === 'host' ? osHostname() : joined ? joined.hostname : id.slice(0, 12));
    const anonymous = Object.keys(defaults.Volumes ?? {})
      .filter((dest) => !req.volumes.some((v) => v.destination === dest) && !req.binds.some((b) => b.destination === dest))
      .map((destination) => ({ name: newContainerId(), destination, readOnly: false, anonymous: true }));
    const request: ContainerSpecRequest = {
      ...req,
      volumes: [...req.volumes, ...anonymous],
      ...(await this.networking.completeRequest(req, defaults.ExposedPorts)),
      ...(joined && { networkContainer: joined.id }),
    };
    const rec: ContainerRecord = {
      id,
      name: '',
      imageId: image.id,
      created: new Date().toISOString(),
      request,
      path,
      args,
      env: buildEnv(defaults.Env, req.env, { hostname, tty: req.tty }),
      workdir: req.workdir || defaults.WorkingDir || '/',
      user: req.user ?? defaults.User ?? '',
      hostname,
      stopSignal: req.stopSignal ?? defaults.StopSignal ?? 'SIGTERM',
      state: initialState(),
      restartCount: 0,
      monitor: 'conmon',
      ownerPid: 0,
      runRoot: this.paths.runRoot,
    };
    await mkdir(this.paths.containerDir(id), { recursive: true, mode: 0o711 });
    // Names must be unique across processes: allocate under the store lock.
    await this.store.lock.withLock(async () => {
      const taken = new Set((await this.containers.list()).map((c) => c.name));
      if (name !== undefined) {
        const wanted = validateName(name);
        if (taken.has(wanted)) {
          const other = (await this.containers.list()).find((c) => c.name === wanted)!;
          throw new NameConflictError(`Conflict. The container name "/${wanted}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
        }
        rec.name = wanted;
      } else rec.name = generateName((n) => taken.has(n), undefined, id);
      await this.containers.put(rec);
    }).catch(async (err) => {
      await this.containers.removeDir(id);
      throw err;
    });
    return rec;
  }

  // ---- start ----

  private async layerDirs(rec: ContainerRecord): Promise<string[]> {
    const image = await this.store.images.get(rec.imageId);
    if (!image) throw new TsdockError('not-found', `the image of container ${rec.name} (${rec.imageId}) is gone`);
    return image.layers.map((l) => this.store.layers.diffPath(l.diffId)).reverse();
  }

  private async prepare(rec: ContainerRecord, terminal: boolean): Promise<OciSpec> {
    const run = this.runtimePathsOf(rec);
    await rm(run.exitFile(rec.id), { force: true });
    await rm(run.persist(rec.id), { recursive: true, force: true });
    await mkdir(run.persist(rec.id), { recursive: true });
    // Bridge networking (netns + CNI ADD) runs alongside the rootfs work; both are done before
    // runc joins the netns. A failure of either is cleaned up by the caller's recordFailure.
    const joined = rec.request.network === 'container' ? await this.joinedNetns(rec) : undefined;
    const [network, spec] = await Promise.allSettled([
      this.networking.setup(rec),
      Promise.all([this.layerDirs(rec), this.recursiveReadOnlyFor(rec)]).then(([layerDirsTopFirst, recursiveReadOnly]) =>
        prepareContainer(
          rec,
          {
            paths: this.paths,
            volumes: this.volumes,
            initBinary: this.settings.initBinary,
            layerDirsTopFirst,
            netnsPath: joined?.netnsPath ?? this.networking.plannedNetnsPath(rec),
            etcFilesOf: joined?.containerId,
            recursiveReadOnly,
          },
          { terminal },
        ),
      ),
    ]);
    if (network.status === 'rejected') throw network.reason;
    if (spec.status === 'rejected') throw spec.reason;
    await this.networking.writeEtcFiles(rec);
    return spec.value;
  }

  /** The runtime is asked only when there is a read-only bind or volume to make recursive. */
  private async recursiveReadOnlyFor(rec: ContainerRecord): Promise<boolean> {
    return [...rec.request.binds, ...rec.request.volumes].some((m) => m.readOnly) && this.runc.supportsRecursiveReadOnly();
  }

  /** For `--network container:NAME`: the running container's netns to join (its files are shared too). */
  private async joinedNetns(rec: ContainerRecord): Promise<{ netnsPath: string; containerId: string }> {
    const targetId = rec.request.networkContainer ?? '';
    const stored = await this.containers.get(targetId);
    if (!stored) throw new TsdockError('not-found', `the container whose network ${rec.name} joins (${targetId.slice(0, 12)}) no longer exists; remove ${rec.name} and create it again`);
    const target = await this.refresh(stored);
    if (target.state.status !== 'running' && target.state.status !== 'paused') {
      throw new TsdockError('conflict', `cannot join network of a non running container: ${target.id}; start ${target.name} first`);
    }
    const pid = target.state.pid || (await this.runcFor(target).state(target.id))?.pid;
    if (!pid) throw new TsdockError('conflict', `cannot join network of container ${target.name}: its process is not known`);
    return { netnsPath: `/proc/${pid}/ns/net`, containerId: target.id };
  }

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
      if (rec.state.startedAt !== ZERO_TIME) await this.cleanupRuntime(rec);
      // Nothing of the last run is left: this run lives under this process's run root.
      rec.runRoot = this.paths.runRoot;
      try {
        await this.beginStart(rec);
        const pid = await this.createUnderConmon(rec, false);
        await this.runc.start(rec.id);
        await this.recordStarted(rec, pid);
        return rec;
      } catch (err) {
        await this.recordFailure(rec, err as Error);
        throw err;
      }
    });
  }

  /**
   * Records the start's intent (startingPid) before anything is set up, so a tsdock killed
   * anywhere until the start is recorded leaves a record the next command can reconcile with
   * runc; then sets the container up (rootfs, network, bundle).
   */
  private async beginStart(rec: ContainerRecord): Promise<void> {
    rec.startingPid = process.pid;
    await this.containers.put(rec);
    await this.prepare(rec, rec.request.tty);
  }

  /**
   * Has conmon create the set-up container (`runc create`); the caller then runs `runc start`.
   * conmon outlives tsdock: it keeps the log, records the exit and runs the exit command
   * (`container cleanup`: record the exit, honour --rm). A foreground run's own tsdock does
   * that itself while it lives, so its exit command only runs when that process is gone.
   */
  private async createUnderConmon(rec: ContainerRecord, foreground: boolean): Promise<number> {
    const cleanup = [...this.settings.selfCommand, ...this.settings.selfArgs, 'container', 'cleanup', rec.id];
    return createWithConmon({
      conmonBinary: this.settings.conmonBinary,
      runcBinary: this.settings.runcBinary,
      runcRoot: this.paths.runcRoot,
      id: rec.id,
      name: rec.name,
      bundle: this.paths.bundle(rec.id),
      containerPidFile: join(this.paths.bundle(rec.id), 'pidfile'),
      conmonPidFile: this.paths.conmonPidFile(rec.id),
      logPath: this.paths.log(rec.id),
      exitDir: this.paths.exitDir,
      persistDir: this.paths.persist(rec.id),
      socketDir: this.paths.socketDir,
      tty: rec.request.tty,
      stdin: rec.request.interactive,
      leaveStdinOpen: !foreground,
      exitCommand: foreground ? ['/bin/sh', '-c', 'kill -0 "$0" 2>/dev/null || exec "$@"', String(process.pid), ...cleanup] : cleanup,
    });
  }

  private async recordStarted(rec: ContainerRecord, pid: number): Promise<void> {
    rec.monitor = 'conmon';
    rec.ownerPid = 0;
    delete rec.startingPid;
    rec.state = applyTransition(rec.state, 'start', { pid }, rec.name);
    await this.containers.put(rec);
  }

  /**
   * Runs a container in the foreground of this process (`run` without -d, `start -a`): conmon
   * holds it as it does a detached one, and this process attaches to it (output to the
   * caller's streams, input and window size to the container) before it starts. The container
   * does not depend on this process: killed, the container runs on, its output goes to the log
   * and conmon's exit command records the exit and honours --rm. Resolves with the exit code
   * once the container has exited and was recorded (0 when detached with ctrl-p ctrl-q).
   */
  async runAttached(query: string, io: AttachStreams): Promise<number> {
    trace('runAttached');
    const found = await this.find(query);
    const tty = found.request.tty;
    const stdin = found.request.interactive ? io.stdin : undefined;
    const terminalIn = stdin as (Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => void }) | undefined;
    const rawBefore = terminalIn?.isTTY === true && terminalIn.isRaw === true;
    const output = io.stdout as Writable & { isTTY?: boolean };
    let restoreOutput: (() => void) | undefined;
    type Started = { attach: import('./conmon-attach.js').OpenAttach } | { failure: Error; rec: ContainerRecord };
    const started = await this.lockFor(found.id).withLock(async (): Promise<Started> => {
      const rec = await this.lockedCurrent(found.id, query);
      transition(rec.state.status, 'start', rec.name);
      if (rec.state.startedAt !== ZERO_TIME) await this.cleanupRuntime(rec);
      rec.runRoot = this.paths.runRoot;
      let attach: import('./conmon-attach.js').OpenAttach | undefined;
      try {
        await this.beginStart(rec);
      } catch (err) {
        await this.recordFailure(rec, err as Error);
        throw err;
      }
      trace('prepared');
      try {
        const socketPath = this.paths.attachSocket(rec.id);
        await rm(socketPath, { force: true }); // a killed conmon's
        const creating = this.createUnderConmon(rec, true);
        let createSettled = false;
        creating.then(() => (createSettled = true), () => (createSettled = true));
        // The attach code and its native socket binding load while conmon creates the
        // container, and conmon makes its attach socket before it runs `runc create`: the
        // attach is in place by the time the container is.
        const [{ openAttach, parseDetachKeys }] = await Promise.all([import('./conmon-attach.js'), import('node-unix-socket')]);
        let attachError: Error | undefined;
        const tryAttach = () =>
          openAttach({
            socketPath,
            controlPath: this.paths.controlFifo(rec.id),
            stdin,
            stdout: io.stdout,
            stderr: io.stderr,
            detachKeys: tty && stdin ? parseDetachKeys('ctrl-p,ctrl-q') : [],
            terminal: tty && output.isTTY ? (output as NodeJS.WriteStream) : undefined,
            closeStdinOnEnd: true,
            sizeLater: true,
          }).catch((err: Error) => {
            attachError = err;
            return undefined;
          });
        // The socket file appears when conmon binds it, a moment before it listens: retry
        // until then; once the container is created, a failure is final.
        for (;;) {
          const settled = createSettled;
          if (await stat(socketPath).then(() => true, () => false)) attach = await tryAttach();
          if (attach || settled) break;
          await sleep(2);
        }
        // conmon's own failure (runc create's message) is the one to report.
        const pid = await creating;
        trace('created');
        if (!attach) throw attachError ?? new RuntimeError(`conmon made no attach socket for ${rec.name} (${socketPath})`);
        await attach.sendSize();
        if (tty && output.isTTY) restoreOutput = passOutputUnchanged(output as NodeJS.WriteStream);
        if (tty && terminalIn?.isTTY) terminalIn.setRawMode?.(true);
        trace('attached');
        await this.runc.start(rec.id);
        trace('runc start');
        await this.recordStarted(rec, pid);
        return { attach };
      } catch (err) {
        attach?.close();
        if (tty && terminalIn?.isTTY) terminalIn.setRawMode?.(rawBefore);
        restoreOutput?.();
        await this.recordFailure(rec, err as Error);
        return { failure: err as Error, rec };
      }
    });
    if ('failure' in started) {
      // runc's own failures (a missing executable, ...) are the run's result, with Docker's
      // message and exit code; a --rm container goes as it would after running.
      if (started.rec.request.autoRemove) await this.destroy(started.rec, true);
      io.stderr.write(`Error: ${started.failure.message}\n`);
      return startFailureExitCode(started.failure);
    }
    const session = started.attach;
    trace('started');
    // Signals sent to tsdock go to the container, as Docker's --sig-proxy does (with a tty
    // the terminal's keys reach it as input instead).
    const proxy = (sig: NodeJS.Signals) => void this.runc.kill(found.id, sig).catch(() => {});
    const proxied: NodeJS.Signals[] = tty ? [] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
    for (const sig of proxied) process.on(sig, proxy);
    // The reader of our output went away (`run ... | head -1`): the container ends as the writer
    // of a shell pipeline does. conmon still drains its output, so its writes do not fail: it
    // gets SIGPIPE (SIGHUP with a terminal), and SIGKILL when, as a PID 1 without a handler, it
    // ignores that.
    let endTimer: NodeJS.Timeout | undefined;
    const endOnClosedOutput = () => {
      void this.runc.kill(found.id, tty ? 'SIGHUP' : 'SIGPIPE').catch(() => {});
      endTimer = setTimeout(() => void this.runc.kill(found.id, 'SIGKILL', true).catch(() => {}), 1000);
    };
    if (io.outputClosed?.aborted) endOnClosedOutput();
    else io.outputClosed?.addEventListener('abort', endOnClosedOutput, { once: true });
    let end: 'detached' | 'closed';
    try {
      end = await session.ended;
    } finally {
      for (const sig of proxied) process.off(sig, proxy);
      io.outputClosed?.removeEventListener('abort', endOnClosedOutput);
      if (endTimer) clearTimeout(endTimer);
      if (tty && terminalIn?.isTTY) terminalIn.setRawMode?.(rawBefore);
      restoreOutput?.();
    }
    if (end === 'detached') return 0;
    // conmon closes the socket once the output is drained and writes the exit file right after.
    const exit = await this.waitForExitFile({ ...found, runRoot: this.paths.runRoot });
    trace('exited');
    if (found.request.autoRemove && exit) {
      // --rm: no point recording an exit that is removed right away.
      await this.destroy(found, true);
      trace('removed');
      return exit.code;
    }
    const rec = await this.current(found.id);
    return rec?.state.exitCode ?? exit?.code ?? UNKNOWN_EXIT;
  }

  /** The exit conmon records for the container; undefined when conmon ended without one. */
  private async waitForExitFile(rec: ContainerRecord): Promise<{ code: number; time: Date } | undefined> {
    const exitFile = this.runtimePathsOf(rec).exitFile(rec.id);
    for (;;) {
      const exit = await readExitFile(exitFile);
      if (exit) return exit;
      if (!(await this.conmonAlive(rec))) return readExitFile(exitFile);
      await sleep(5);
    }
  }

  private async conmonAlive(rec: ContainerRecord): Promise<boolean> {
    const conmonPid = Number((await readFile(this.runtimePathsOf(rec).conmonPidFile(rec.id), 'utf8').catch(() => '')).trim());
    return conmonPid > 0 && processAlive(conmonPid) && !(await isZombie(conmonPid));
  }

  // ---- stop / kill / pause ----

  async stop(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.find(query);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') return rec;
    const timeout = timeoutSeconds ?? rec.request.stopTimeout ?? 10;
    const runc = this.runcFor(rec);
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
      await this.cleanupRuntime(current);
      await this.containers.removeDir(rec.id);
      const run = this.runtimePathsOf(current);
      await rm(run.persist(rec.id), { recursive: true, force: true });
      await rm(join(run.socketDir, rec.id), { force: true });
      if (volumes) {
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

  /**
   * Brings a record up to date with reality. Running containers under conmon have exited when
   * conmon wrote their exit file; foreground ones when their owning tsdock is gone and runc
   * no longer runs them. Exited containers get their runtime leftovers cleaned.
   */
  async refresh(rec: ContainerRecord, opts: { lockHeld?: boolean } = {}): Promise<ContainerRecord> {
    // The container lock is not reentrant: a caller that holds it must not wait for it again.
    const locked = <T>(fn: () => Promise<T>): Promise<T> => (opts.lockHeld ? fn() : this.lockFor(rec.id).withLock(fn));
    if (rec.startingPid !== undefined && !processAlive(rec.startingPid)) {
      const r = rec;
      rec = await locked(() => this.reconcileCutShortStart(r));
    }
    if (rec.frozenByPid !== undefined && !processAlive(rec.frozenByPid)) {
      const r = rec;
      rec = await locked(() => this.thawAfterDeadCommit(r));
    }
    const live = rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';
    if (!live) return rec;
    if (rec.monitor === 'foreground' && processAlive(rec.ownerPid)) return rec;
    const run = this.runtimePathsOf(rec);
    const exit = await readExitFile(run.exitFile(rec.id));
    if (exit === undefined && rec.monitor === 'conmon' && (await this.conmonAlive(rec))) return rec;
    if (exit === undefined && rec.monitor === 'foreground') {
      const st = await this.runcFor(rec).state(rec.id).catch(() => undefined);
      if (st && (st.status === 'running' || st.status === 'paused')) return rec;
    }
    const recordExit = async () => {
      const latest = await this.containers.get(rec.id);
      // Removed meanwhile (--rm, another rm): nothing to record, and no record to bring back.
      if (!latest) return rec;
      if (latest.state.status !== rec.state.status) return latest;
      const oom = await stat(join(run.persist(rec.id), 'oom')).then(() => true, () => false);
      const finished = exit?.time ?? new Date();
      latest.state = applyTransition(latest.state, 'exited', {
        exitCode: exit?.code ?? UNKNOWN_EXIT,
        oomKilled: oom,
        at: finished.toISOString(),
        error: exit ? '' : 'the process monitoring the container died; its exit code is unknown',
      });
      latest.ownerPid = 0;
      await this.containers.put(latest);
      await this.cleanupRuntime(latest);
      return latest;
    };
    // The container lock is not reentrant: a caller that holds it must not wait for it again.
    return opts.lockHeld ? recordExit() : this.lockFor(rec.id).withLock(recordExit);
  }

  /**
   * A start whose tsdock was killed before it recorded the outcome: what runc says is the
   * truth. A running (or already exited) container is recorded as started under conmon, whose
   * exit file then gives its exit; one that was only created is deleted, and the set-up of
   * one that never got that far (mount, netns) is undone, leaving the record as it was.
   */
  private async reconcileCutShortStart(rec: ContainerRecord): Promise<ContainerRecord> {
    // Called with the container's lock held (see refresh).
    {
      const latest = await this.containers.get(rec.id);
      if (!latest) return rec;
      if (latest.startingPid === undefined || processAlive(latest.startingPid)) return latest;
      trace('reconciling a start cut short');
      const runc = this.runcFor(latest);
      // conmon may still be running `runc create`: let it finish first.
      let st = await runc.state(latest.id);
      for (let i = 0; i < 250 && (!st || st.status === 'creating') && (await this.conmonAlive(latest)); i++) {
        await sleep(20);
        st = await runc.state(latest.id);
      }
      delete latest.startingPid;
      if (st && (st.status === 'running' || st.status === 'paused' || st.status === 'stopped')) {
        latest.monitor = 'conmon';
        latest.ownerPid = 0;
        const started = applyTransition(latest.state, 'start', { pid: st.pid, at: st.created });
        latest.state = st.status === 'paused' ? applyTransition(started, 'pause') : started;
        await this.containers.put(latest);
        return latest;
      }
      if (st) {
        await runc.delete(latest.id, true);
        // conmon sees its container go and ends: wait, so nothing of the start outlives this.
        for (let i = 0; i < 100 && (await this.conmonAlive(latest)); i++) await sleep(20);
      }
      await this.cleanupRuntime(latest);
      await this.containers.put(latest);
      return latest;
    }
  }

  /**
   * `commit` freezes a running container while it reads its layer: when that commit process
   * is gone (killed), the container is thawed, so it is never left frozen behind a record
   * that says it runs.
   */
  private async thawAfterDeadCommit(rec: ContainerRecord): Promise<ContainerRecord> {
    // Called with the container's lock held (see refresh).
    const latest = await this.containers.get(rec.id);
    if (!latest) return rec;
    if (latest.frozenByPid === undefined || processAlive(latest.frozenByPid)) return latest;
    await this.thaw(latest);
    return latest;
  }

  private async thaw(rec: ContainerRecord): Promise<void> {
    const runc = this.runcFor(rec);
    const st = await runc.state(rec.id);
    if (st?.status === 'paused') await runc.resume(rec.id);
    delete rec.frozenByPid;
    if (rec.state.status === 'paused') rec.state = applyTransition(rec.state, 'unpause');
    await this.containers.put(rec);
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
      if (rec?.frozenByPid !== undefined) await this.thaw(rec);
    });
  }

  /** Removes runc's state, the overlay mount and the exit file of a container that is not running. */
  private async cleanupRuntime(rec: ContainerRecord): Promise<void> {
    const run = this.runtimePathsOf(rec);
    // A stat instead of a runc call when runc has nothing for it (the common case). The rootfs
    // mount is the host's, not the container's: it goes at the same time.
    const runcKnowsIt = await stat(join(run.runcRoot, rec.id)).then(() => true, () => false);
    await Promise.all([
      runcKnowsIt ? this.runcFor(rec).delete(rec.id, true).catch(() => {}) : undefined,
      unmountRootfs(this.paths.merged(rec.id)).catch(() => {}),
      rm(run.exitFile(rec.id), { force: true }),
    ]);
    await this.networking.teardown(rec.id);
  }

  private async recordFailure(rec: ContainerRecord, err: Error): Promise<void> {
    await this.cleanupRuntime(rec);
    // Docker keeps a container that failed to start with the error and exit 127/126: "created"
    // when it never ran, "exited" when it had run before (its state derives from StartedAt).
    delete rec.startingPid;
    rec.state = applyTransition(rec.state, 'startFailed', { exitCode: startFailureExitCode(err), error: err.message });
    await this.containers.put(rec);
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

async function readExitFile(path: string): Promise<{ code: number; time: Date } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const code = Number(text.trim());
    return Number.isFinite(code) && text.trim() !== '' ? { code, time: st.mtime } : undefined;
  } catch {
    return undefined;
  }
}

/** This machine's PID 1 does not reap orphans: an exited conmon can linger as a zombie. */
async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

