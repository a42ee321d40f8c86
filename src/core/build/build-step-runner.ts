import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerManager } from '../runtime/container-manager.js';
import type { ContainerSpecRequest, NetworkMode } from '../runtime/container-record.js';
import type { ImageRecord } from '../images/image-record.js';
import type { BuildListener } from './build-events.js';
import { processAlive } from '../process/process-alive.js';
import { TsdockError } from '../errors.js';

export class BuildCancelledError extends TsdockError {
  constructor() {
    super('cancelled', 'build cancelled');
  }
}

/** Label on RUN step containers: the pid of the build that owns the container. */
export const BUILD_OWNER_LABEL = 'tsdock.build.pid';

/**
 * Removes RUN step containers whose build process is gone (a build killed with SIGKILL cannot
 * remove its own). Called when a build starts; returns how many were removed.
 */
export async function removeOrphanStepContainers(manager: ContainerManager): Promise<number> {
  let removed = 0;
  for (const rec of await manager.list()) {
    const owner = Number(rec.request.labels[BUILD_OWNER_LABEL]);
    if (!owner || processAlive(owner)) continue;
    await manager.remove(rec.id, { force: true, volumes: true }).then(
      () => removed++,
      () => {},
    );
  }
  return removed;
}

export interface StepContainerOptions {
  image: ImageRecord;
  /** The full argv (shell form already wrapped in the stage's SHELL). */
  argv: string[];
  /** Build args in scope, as `KEY=value`: the command sees them, the image does not keep them. */
  env: string[];
  network: NetworkMode;
  signal?: AbortSignal;
  onEvent: BuildListener;
}

/**
 * Runs one RUN step in a real container of the step's image (runc, attached, no TTY), streaming
 * its output as build events. On exit 0 `onSuccess` gets the container's upper dir (its
 * changes) while the container still exists; the container is removed whatever happens, so a
 * failed or cancelled build leaves no container, mount or volume behind.
 */
let orphansSwept: Promise<number> | undefined;

export async function runStepContainer<T>(manager: ContainerManager, opts: StepContainerOptions, onSuccess: (upperDir: string) => Promise<T>): Promise<{ exitCode: number; result?: T }> {
  if (opts.signal?.aborted) throw new BuildCancelledError();
  await (orphansSwept ??= removeOrphanStepContainers(manager));
  const request: ContainerSpecRequest = {
    image: opts.image.id,
    cmd: opts.argv,
    entrypoint: [],
    env: opts.env,
    tty: false,
    interactive: false,
    labels: { [BUILD_OWNER_LABEL]: String(process.pid) },
    binds: [],
    volumes: [],
    tmpfs: [],
    readOnlyRootfs: false,
    init: false,
    capAdd: [],
    capDrop: [],
    privileged: false,
    securityOpt: [],
    network: opts.network,
    autoRemove: false,
  };
  const rec = await manager.create(opts.image, request);
  const short = rec.id.slice(0, 12);
  // A cancel can come before runc has started the process: keep killing until runAttached returns.
  let finished = false;
  const kill = () =>
    void (async () => {
      while (!finished) {
        // The step's container may have exited already: the loop waits for that either way.
        await manager.kill(rec.id, 'SIGKILL').catch(() => {});
        await sleep(100);
      }
    })();
  try {
    opts.onEvent({ type: 'running', containerId: short });
    opts.signal?.addEventListener('abort', kill, { once: true });
    if (opts.signal?.aborted) throw new BuildCancelledError();
    const sink = (stream: 'stdout' | 'stderr') =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          opts.onEvent({ type: 'output', stream, data: chunk });
          cb();
        },
      });
    const exitCode = await manager.runAttached(rec.id, { stdout: sink('stdout'), stderr: sink('stderr') }).finally(() => (finished = true));
    if (opts.signal?.aborted) throw new BuildCancelledError();
    if (exitCode !== 0) return { exitCode };
    return { exitCode, result: await onSuccess(manager.paths.upper(rec.id)) };
  } finally {
    finished = true;
    opts.signal?.removeEventListener('abort', kill);
    await manager.remove(rec.id, { force: true, volumes: true });
    opts.onEvent({ type: 'container-removed', containerId: short });
  }
}
