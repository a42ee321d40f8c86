import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './container-context.js';
import { applyTransition } from './container-state-machine.js';
import { unmountRootfs } from './rootfs-mount.js';
import { trace } from '../trace.js';
import { processAlive } from '../process/process-alive.js';

/** The exit status runc reports for a process killed by a signal is 128 + signal, as Docker's. */
export const UNKNOWN_EXIT = 255;

/**
 * Brings records up to date with what really runs: conmon's exit files (and OOM marks), runc's
 * state for starts whose tsdock was killed, thawing after a killed commit, zombie conmons; and
 * removes the runtime leftovers of containers that no longer run.
 */
export class ContainerReconciler {
  constructor(private readonly ctx: ContainerContext) {}

  /**
   * Brings a record up to date with reality. Running containers under conmon have exited when
   * conmon wrote their exit file; foreground ones when their owning tsdock is gone and runc
   * no longer runs them. Exited containers get their runtime leftovers cleaned.
   */
  async refresh(rec: ContainerRecord, opts: { lockHeld?: boolean } = {}): Promise<ContainerRecord> {
    // The container lock is not reentrant: a caller that holds it must not wait for it again.
    const locked = <T>(fn: () => Promise<T>): Promise<T> => (opts.lockHeld ? fn() : this.ctx.lockFor(rec.id).withLock(fn));
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
    const run = this.ctx.runtimePathsOf(rec);
    const exit = await readExitFile(run.exitFile(rec.id));
    if (exit === undefined && rec.monitor === 'conmon' && (await this.conmonAlive(rec))) return rec;
    if (exit === undefined && rec.monitor === 'foreground') {
      // runc failing to answer counts as not running: the exit is recorded as unknown.
      const st = await this.ctx.runcFor(rec).state(rec.id).catch(() => undefined);
      if (st && (st.status === 'running' || st.status === 'paused')) return rec;
    }
    const recordExit = async () => {
      const latest = await this.ctx.containers.get(rec.id);
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
      await this.ctx.containers.put(latest);
      await this.cleanupRuntime(latest);
      return latest;
    };
    // The container lock is not reentrant: a caller that holds it must not wait for it again.
    return opts.lockHeld ? recordExit() : this.ctx.lockFor(rec.id).withLock(recordExit);
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
      const latest = await this.ctx.containers.get(rec.id);
      if (!latest) return rec;
      if (latest.startingPid === undefined || processAlive(latest.startingPid)) return latest;
      trace('reconciling a start cut short');
      const runc = this.ctx.runcFor(latest);
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
        await this.ctx.containers.put(latest);
        return latest;
      }
      if (st) {
        await runc.delete(latest.id, true);
        // conmon sees its container go and ends: wait, so nothing of the start outlives this.
        for (let i = 0; i < 100 && (await this.conmonAlive(latest)); i++) await sleep(20);
      }
      await this.cleanupRuntime(latest);
      await this.ctx.containers.put(latest);
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
    const latest = await this.ctx.containers.get(rec.id);
    if (!latest) return rec;
    if (latest.frozenByPid === undefined || processAlive(latest.frozenByPid)) return latest;
    await this.thaw(latest);
    return latest;
  }

  async thaw(rec: ContainerRecord): Promise<void> {
    const runc = this.ctx.runcFor(rec);
    const st = await runc.state(rec.id);
    if (st?.status === 'paused') await runc.resume(rec.id);
    delete rec.frozenByPid;
    if (rec.state.status === 'paused') rec.state = applyTransition(rec.state, 'unpause');
    await this.ctx.containers.put(rec);
  }

  /** Removes runc's state, the overlay mount and the exit file of a container that is not running. */
  async cleanupRuntime(rec: ContainerRecord): Promise<void> {
    const run = this.ctx.runtimePathsOf(rec);
    // A stat instead of a runc call when runc has nothing for it (the common case). The rootfs
    // mount is the host's, not the container's: it goes at the same time.
    const runcKnowsIt = await stat(join(run.runcRoot, rec.id)).then(() => true, () => false);
    await Promise.all([
      // Leftovers go best effort: the container has stopped, and the next cleanup retries.
      runcKnowsIt ? this.ctx.runcFor(rec).delete(rec.id, true).catch(() => {}) : undefined,
      unmountRootfs(this.ctx.paths.merged(rec.id)).catch(() => {}),
      rm(run.exitFile(rec.id), { force: true }),
    ]);
    await this.ctx.networking.teardown(rec.id);
  }

  /** The exit conmon records for the container; undefined when conmon ended without one. */
  async waitForExitFile(rec: ContainerRecord): Promise<{ code: number; time: Date } | undefined> {
    const exitFile = this.ctx.runtimePathsOf(rec).exitFile(rec.id);
    for (;;) {
      const exit = await readExitFile(exitFile);
      if (exit) return exit;
      if (!(await this.conmonAlive(rec))) return readExitFile(exitFile);
      await sleep(5);
    }
  }

  async conmonAlive(rec: ContainerRecord): Promise<boolean> {
    // No pid file: conmon never started or its run root is gone; either way it is not alive.
    const conmonPid = Number((await readFile(this.ctx.runtimePathsOf(rec).conmonPidFile(rec.id), 'utf8').catch(() => '')).trim());
    return conmonPid > 0 && processAlive(conmonPid) && !(await isZombie(conmonPid));
  }
}

async function readExitFile(path: string): Promise<{ code: number; time: Date } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const code = Number(text.trim());
    return Number.isFinite(code) && text.trim() !== '' ? { code, time: st.mtime } : undefined;
  } catch {
    // No exit file (still running, or conmon died first): no exit known.
    return undefined;
  }
}

/** This machine's PID 1 does not reap orphans: an exited conmon can linger as a zombie. */
async function isZombie(pid: number): Promise<boolean> {
  // The process is gone altogether: not a zombie.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}
