import { rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import type { ContainerRecord } from './container-record.js';
import { ZERO_TIME } from './container-record.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerStarter } from './container-start.js';
import { UNKNOWN_EXIT, type ContainerReconciler } from './container-reconciliation.js';
import { transition } from './container-state-machine.js';
import { RuntimeError } from './runc.js';
import { startFailureExitCode } from './start-failure.js';
import { passOutputUnchanged } from './terminal-output.js';
import { trace } from '../trace.js';

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

/** What the foreground run uses of the container manager. */
export interface ForegroundRunDeps {
  ctx: ContainerContext;
  starter: ContainerStarter;
  reconciler: ContainerReconciler;
  find(query: string): Promise<ContainerRecord>;
  /** The record again once its lock is held (see ContainerManager). */
  lockedCurrent(id: string, query: string): Promise<ContainerRecord>;
  current(id: string): Promise<ContainerRecord | undefined>;
  /** Deletes a container that is not running (with its anonymous volumes when asked). */
  destroy(rec: ContainerRecord, volumes: boolean): Promise<void>;
}

/**
 * Runs a container in the foreground of this process (`run` without -d, `start -a`): conmon
 * holds it as it does a detached one, and this process attaches to it (output to the
 * caller's streams, input and window size to the container) before it starts. The container
 * does not depend on this process: killed, the container runs on, its output goes to the log
 * and conmon's exit command records the exit and honours --rm. Resolves with the exit code
 * once the container has exited and was recorded (0 when detached with ctrl-p ctrl-q).
 */
export async function runAttached(deps: ForegroundRunDeps, query: string, io: AttachStreams): Promise<number> {
  trace('runAttached');
  const found = await deps.find(query);
  const tty = found.request.tty;
  const stdin = found.request.interactive ? io.stdin : undefined;
  const terminalIn = stdin as (Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => void }) | undefined;
  const rawBefore = terminalIn?.isTTY === true && terminalIn.isRaw === true;
  const output = io.stdout as Writable & { isTTY?: boolean };
  let restoreOutput: (() => void) | undefined;
  type Started = { attach: import('./conmon-attach.js').OpenAttach } | { failure: Error; rec: ContainerRecord };
  const started = await deps.ctx.lockFor(found.id).withLock(async (): Promise<Started> => {
    const rec = await deps.lockedCurrent(found.id, query);
    transition(rec.state.status, 'start', rec.name);
    if (rec.state.startedAt !== ZERO_TIME) await deps.reconciler.cleanupRuntime(rec);
    rec.runRoot = deps.ctx.paths.runRoot;
    let attach: import('./conmon-attach.js').OpenAttach | undefined;
    try {
      await deps.starter.beginStart(rec);
    } catch (err) {
      await deps.starter.recordFailure(rec, err as Error);
      throw err;
    }
    trace('prepared');
    try {
      const socketPath = deps.ctx.paths.attachSocket(rec.id);
      await rm(socketPath, { force: true }); // a killed conmon's
      const creating = deps.starter.createUnderConmon(rec, true);
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
          controlPath: deps.ctx.paths.controlFifo(rec.id),
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
      await deps.ctx.runc.start(rec.id);
      trace('runc start');
      await deps.starter.recordStarted(rec, pid);
      return { attach };
    } catch (err) {
      attach?.close();
      if (tty && terminalIn?.isTTY) terminalIn.setRawMode?.(rawBefore);
      restoreOutput?.();
      await deps.starter.recordFailure(rec, err as Error);
      return { failure: err as Error, rec };
    }
  });
  if ('failure' in started) {
    // runc's own failures (a missing executable, ...) are the run's result, with Docker's
    // message and exit code; a --rm container goes as it would after running.
    if (started.rec.request.autoRemove) await deps.destroy(started.rec, true);
    io.stderr.write(`Error: ${started.failure.message}\n`);
    return startFailureExitCode(started.failure);
  }
  const session = started.attach;
  trace('started');
  // Signals sent to tsdock go to the container, as Docker's --sig-proxy does (with a tty
  // the terminal's keys reach it as input instead).
  // The container may have ended: nothing left to signal.
  const proxy = (sig: NodeJS.Signals) => void deps.ctx.runc.kill(found.id, sig).catch(() => {});
  const proxied: NodeJS.Signals[] = tty ? [] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  for (const sig of proxied) process.on(sig, proxy);
  // The reader of our output went away (`run ... | head -1`): the container ends as the writer
  // of a shell pipeline does. conmon still drains its output, so its writes do not fail: it
  // gets SIGPIPE (SIGHUP with a terminal), and SIGKILL when, as a PID 1 without a handler, it
  // ignores that.
  let endTimer: NodeJS.Timeout | undefined;
  const endOnClosedOutput = () => {
// The container may have ended already: nothing left to signal.
    void deps.ctx.runc.kill(found.id, tty ? 'SIGHUP' : 'SIGPIPE').catch(() => {});
    endTimer = setTimeout(() => void deps.ctx.runc.kill(found.id, 'SIGKILL', true).catch(() => {}), 1000);
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
  const exit = await deps.reconciler.waitForExitFile({ ...found, runRoot: deps.ctx.paths.runRoot });
  trace('exited');
  if (found.request.autoRemove && exit) {
    // --rm: no point recording an exit that is removed right away.
    await deps.destroy(found, true);
    trace('removed');
    return exit.code;
  }
  const rec = await deps.current(found.id);
  if (rec?.state.status === 'exited') return rec.state.exitCode;
  // A record not (yet) marked exited holds no exit code: another process is removing it (rm -f)
  // or has not reconciled it. conmon's exit file has the code.
  return exit?.code ?? UNKNOWN_EXIT;
}
