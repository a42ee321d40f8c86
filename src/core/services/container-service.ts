import type { Store } from '../images/store.js';
import type { ContainerManager, AttachStreams } from '../runtime/container-manager.js';
import type { ContainerRecord, ContainerSpecRequest } from '../runtime/container-record.js';
import type { ImageRecord } from '../images/image-record.js';
import type { PsFilter } from '../runtime/container-filter.js';
import type { LogRecord } from '../runtime/container-logs.js';
import type { PtySession } from '../runtime/exec-pty.js';
import type { PublishedPort } from '../network/port-spec.js';
import type { ProcessList } from '../runtime/container-top.js';
import type { Change } from '../runtime/container-diff.js';
import { StatsSampler } from '../runtime/container-stats.js';
import { renameContainer } from '../runtime/container-rename.js';
import { matchesFilter } from '../runtime/container-filter.js';
import { parseReference, formatReference } from '../oci/reference.js';
import { containerDiff, containerPorts, containerSize, containerTop, inspectContainer, type ContainerSize } from './container-views.js';
import { execInContainer, type ExecOptions, type ExecStreams } from './container-exec.js';
import { readContainerLogs, type LogsOptions } from './container-log-reader.js';
import { attachToContainer, openAttachPane, type AttachOptions, type AttachResult } from './container-attach.js';

/**
 * What the front ends do with containers, as plain data in and out: the lifecycle, exec, logs,
 * attach and the views of `ps`, `inspect`, `diff`, `top`, `port`, `stats`. Runtime paths, runc,
 * conmon and the store stay behind it. Only the PTY (node-pty, for the TUI's shells) loads on
 * first use: the rest was on the CLI's start-up path before and splitting it off only made more
 * chunks to load.
 */
export class ContainerService {
  constructor(
    private readonly manager: ContainerManager,
    private readonly store: Store,
  ) {}

  // ---- lookup and views ----

  /** Every container, reconciled with its process; with `filter`, those `ps --filter` keeps. */
  async list(opts: { filter?: PsFilter } = {}): Promise<ContainerRecord[]> {
    const all = await this.manager.list();
    if (!opts.filter) return all;
    const filter = opts.filter;
    const imageMatches = ancestorMatcher(await this.store.images.tags());
    return all.filter((r) => matchesFilter(r, filter, imageMatches));
  }

  /** One container by name, ID or unique ID prefix. */
  find(query: string): Promise<ContainerRecord> {
    return this.manager.find(query);
  }

  inspect(query: string): Promise<Record<string, unknown>> {
    return inspectContainer(this.manager, this.store, query);
  }

  diff(query: string): Promise<Change[]> {
    return containerDiff(this.manager, this.store, query);
  }

  top(query: string, psArgs: string[] = []): Promise<ProcessList> {
    return containerTop(this.manager, query, psArgs);
  }

  ports(query: string): Promise<PublishedPort[]> {
    return containerPorts(this.manager, query);
  }

  /** The PORTS column of `ps` for a listed container: published and exposed ports while it runs. */
  portsText(rec: ContainerRecord): Promise<string> {
    return this.manager.networking.psPorts(rec);
  }

  size(rec: ContainerRecord): Promise<ContainerSize> {
    return containerSize(this.manager, this.store, rec);
  }

  /** A sampler of containers' CPU, memory, network and block I/O; each `sample()` reports the CPU share since the previous one. */
  statsSampler(): StatsSampler {
    return new StatsSampler();
  }

  // ---- lifecycle ----

  create(image: ImageRecord, request: ContainerSpecRequest, name?: string): Promise<ContainerRecord> {
    return this.manager.create(image, request, name);
  }

  /** Starts a container detached, under conmon. */
  start(query: string): Promise<ContainerRecord> {
    return this.manager.start(query);
  }

  /** Runs a created container in the foreground with these streams; resolves with its exit code. */
  runAttached(query: string, io: AttachStreams): Promise<number> {
    return this.manager.runAttached(query, io);
  }

  stop(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    return this.manager.stop(query, timeoutSeconds);
  }

  restart(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    return this.manager.restart(query, timeoutSeconds);
  }

  kill(query: string, signal?: string): Promise<ContainerRecord> {
    return this.manager.kill(query, signal);
  }

  pause(query: string): Promise<ContainerRecord> {
    return this.manager.pause(query);
  }

  unpause(query: string): Promise<ContainerRecord> {
    return this.manager.unpause(query);
  }

  remove(query: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<ContainerRecord> {
    return this.manager.remove(query, opts);
  }

  /** Resolves with the exit code once the container has stopped. */
  wait(query: string): Promise<number> {
    return this.manager.wait(query);
  }

  /** `container prune`: removes every stopped container (exited, created, dead); returns their IDs. */
  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const rec of await this.manager.list()) {
      if (rec.state.status === 'exited' || rec.state.status === 'created' || rec.state.status === 'dead') {
        await this.manager.remove(rec.id);
        removed.push(rec.id);
      }
    }
    return removed;
  }

  rename(query: string, newName: string): Promise<ContainerRecord> {
    return renameContainer(this.manager, this.store.lock, query, newName);
  }

  /** Run by conmon's exit command when a detached container exits: records the exit and honours --rm. */
  cleanupAfterExit(id: string): Promise<void> {
    return this.manager.cleanupAfterExit(id);
  }

  // ---- processes and streams ----

  /** `exec`: resolves with the command's exit code; a command that cannot start rejects with an ExecStartError (kind not-found or forbidden). */
  exec(query: string, opts: ExecOptions, io: ExecStreams): Promise<number> {
    return execInContainer(this.manager, query, opts, io);
  }

  /** A shell (or `cmd`) in a running container under a PTY tsdock owns (the TUI's shell panes). */
  async shell(query: string, opts: { cols: number; rows: number; cmd?: string[] }): Promise<PtySession> {
    const { execPty } = await import('../runtime/exec-pty.js');
    return execPty(this.manager, query, opts);
  }

  /** `logs`: calls `onRecord` with each selected record; with `follow`, resolves once the container no longer runs. */
  logs(query: string, opts: LogsOptions, onRecord: (r: LogRecord) => void): Promise<void> {
    return readContainerLogs(this.manager, query, opts, onRecord);
  }

  /** `attach` with the caller's terminal streams. */
  attach(query: string, opts: AttachOptions): Promise<AttachResult> {
    return attachToContainer(this.manager, query, opts);
  }

  /** An attach to a container started with -it as a terminal pane's session; kill() detaches. */
  attachPane(query: string, size: { cols: number; rows: number }): Promise<PtySession> {
    return openAttachPane(this.manager, query, size);
  }
}

/**
 * `--filter ancestor=`: an image ID prefix, or a reference to one of the image's tags (a
 * repository without a tag matches all of its tags).
 */
function ancestorMatcher(tags: Record<string, string>) {
  return (ancestor: string, rec: ContainerRecord): boolean => {
    if (rec.imageId.slice(7).startsWith(ancestor.replace(/^sha256:/, ''))) return true;
    try {
      const want = formatReference(parseReference(ancestor));
      const repoOnly = !/:[^/]+$/.test(ancestor);
      return Object.entries(tags).some(([t, id]) => id === rec.imageId && (t === want || (repoOnly && t.startsWith(want.replace(/:latest$/, ':')))));
    } catch {
      // Not a reference either: it matches nothing.
      return false;
    }
  };
}
