// A UiBackend for render tests: containers and images in memory, actions recorded, logs and
// shells driven by the test.
import { ZERO_TIME, type ContainerRecord, type ContainerStatus } from '../../../src/core/runtime/container-record.js';
import type { ImageSummary } from '../../../src/core/engine.js';
import type { LogRecord } from '../../../src/core/runtime/container-logs.js';
import type { PtySession } from '../../../src/core/runtime/exec-pty.js';
import type { ContainerVerb, UiBackend } from '../../../src/ui/data/ui-backend.js';
import type { KnownRegistry } from '../../../src/core/registry/known-registries.js';
import type { PullEvent, PullListener } from '../../../src/core/images/pull-events.js';
import type { StatsEntry } from '../../../src/core/runtime/container-stats.js';
import type { RunOptions } from '../../../src/core/runtime/run-request.js';

export const T0 = Date.parse('2024-06-01T12:00:00Z');

export function container(name: string, status: ContainerStatus, opts: { exitCode?: number; image?: string; createdMinutesAgo?: number; id?: string } = {}): ContainerRecord {
  const hex = Buffer.from(name).toString('hex');
  const id = opts.id ?? (hex + 'f'.repeat(64)).slice(0, 64).replace(/[^a-f0-9]/g, 'a');
  const created = new Date(T0 - (opts.createdMinutesAgo ?? 10) * 60_000).toISOString();
  const live = status === 'running' || status === 'paused';
  return {
    id,
    name,
    imageId: `sha256:${'b'.repeat(64)}`,
    created,
    request: { image: opts.image ?? 'busybox', env: [], tty: false, interactive: false, labels: {}, binds: [], volumes: [], tmpfs: [], readOnlyRootfs: false, init: false, capAdd: [], capDrop: [], privileged: false, securityOpt: [], network: 'private', autoRemove: false },
    path: 'sleep',
    args: ['300'],
    env: [],
    workdir: '/',
    user: '',
    hostname: id.slice(0, 12),
    stopSignal: 'SIGTERM',
    state: {
      status,
      pid: live ? 1234 : 0,
      exitCode: opts.exitCode ?? 0,
      oomKilled: false,
      startedAt: status === 'created' ? ZERO_TIME : new Date(T0 - 5 * 60_000).toISOString(),
      finishedAt: status === 'exited' ? new Date(T0 - 2 * 60_000).toISOString() : ZERO_TIME,
      error: '',
    },
    restartCount: 0,
    monitor: 'conmon',
    ownerPid: 0,
  };
}

export function image(repository: string, tag: string, idChar = 'b', size = 4_400_000): ImageSummary {
  return { id: `sha256:${idChar.repeat(64)}`, repository, tag, digest: '<none>', created: new Date(T0 - 86_400_000 * 3).toISOString(), size };
}

export function logRecord(content: string, stream: 'stdout' | 'stderr' = 'stdout', time = '2024-06-01T12:00:00.000000000Z'): LogRecord {
  return { time, timeMs: Date.parse(time), stream, partial: false, content };
}

/** A PTY the test writes output into and reads keys from. */
export class FakePty implements PtySession {
  readonly pid = 4242;
  readonly written: string[] = [];
  readonly sizes: [number, number][] = [];
  killed = false;
  private dataListeners = new Set<(d: string) => void>();
  private exitListeners = new Set<(e: { exitCode: number }) => void>();
  constructor(readonly command: string[] = ['/bin/sh']) {}
  onData(l: (d: string) => void) {
    this.dataListeners.add(l);
    return () => this.dataListeners.delete(l);
  }
  onExit(l: (e: { exitCode: number }) => void) {
    this.exitListeners.add(l);
    return () => this.exitListeners.delete(l);
  }
  write(d: string) {
    this.written.push(d);
  }
  resize(cols: number, rows: number) {
    this.sizes.push([cols, rows]);
  }
  kill() {
    this.killed = true;
  }
  /** Output from the "program". */
  output(d: string) {
    for (const l of this.dataListeners) l(d);
  }
  exit(code: number) {
    for (const l of this.exitListeners) l({ exitCode: code });
  }
}

export class FakeBackend implements UiBackend {
  keymapOverrides: Record<string, unknown> = {};
  containers: ContainerRecord[];
  images: ImageSummary[];
  readonly calls: string[] = [];
  readonly ptys: FakePty[] = [];
  logs = new Map<string, LogRecord[]>();
  failNext?: string;
  registries: KnownRegistry[] = [{ domain: 'docker.io', sources: ['default'] }];
  /** Catalog by registry; a missing one is refused. */
  catalogs = new Map<string, string[]>();
  /** Remote tags by repository; a missing one is "not found". */
  tags = new Map<string, string[]>();
  /** Remote digests by `repository:tag`. */
  digests = new Map<string, string>();
  /** Pulls wait for the test to call these (events first, then finish). */
  readonly pulls: { reference: string; emit: PullListener; finish: (error?: string) => void }[] = [];
  readonly runs: { image: string; name?: string; cmd: string[]; options: RunOptions }[] = [];
  runFailure?: string;
  statsCalls = 0;
  private watchers = new Set<(what: 'containers' | 'images') => void>();
  private logListeners = new Map<string, (r: LogRecord[]) => void>();

  constructor(containers: ContainerRecord[] = [], images: ImageSummary[] = []) {
    this.containers = containers;
    this.images = images;
  }

  async listContainers() {
    return this.containers.map((c) => structuredClone(c));
  }
  async listImages() {
    return [...this.images];
  }
  async containerAction(verb: ContainerVerb, id: string) {
    this.calls.push(`${verb} ${id.slice(0, 12)}`);
    if (this.failNext) {
      const m = this.failNext;
      this.failNext = undefined;
      throw new Error(m);
    }
    const c = this.containers.find((x) => x.id === id)!;
    const next: Record<ContainerVerb, ContainerStatus> = { start: 'running', stop: 'exited', restart: 'running', pause: 'paused', unpause: 'running', kill: 'exited' };
    c.state.status = next[verb];
    if (c.state.status === 'exited') c.state.finishedAt = new Date().toISOString();
    this.changed('containers');
  }
  async removeContainer(id: string, opts: { force: boolean }) {
    this.calls.push(`rm${opts.force ? ' -f' : ''} ${id.slice(0, 12)}`);
    this.containers = this.containers.filter((c) => c.id !== id);
    this.changed('containers');
  }
  async removeImage(ref: string) {
    this.calls.push(`rmi ${ref}`);
    this.images = this.images.filter((i) => `${i.repository}:${i.tag}` !== ref && i.id !== ref);
    this.changed('images');
    return [`Untagged: ${ref}`];
  }
  async inspectContainer(id: string) {
    return { Id: id, Name: `/${this.containers.find((c) => c.id === id)?.name}` };
  }
  async inspectImage(ref: string) {
    return { RepoTags: [ref] };
  }
  async imageHistory(ref: string) {
    this.calls.push(`history ${ref}`);
    return [
      { id: `sha256:${'c'.repeat(64)}`, created: new Date(T0 - 3_600_000).toISOString(), createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', size: 0, comment: '' },
      { id: '<missing>', created: new Date(T0 - 7_200_000).toISOString(), createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', size: 4_400_000, comment: 'base layer' },
    ];
  }
  async tagImage(source: string, target: string) {
    this.calls.push(`tag ${source} ${target}`);
    if (target.includes('@')) throw new Error(`refusing to create a tag with a digest reference: "${target}"`);
  }
  followLog(id: string, onRecords: (r: LogRecord[]) => void) {
    this.logListeners.set(id, onRecords);
    const initial = this.logs.get(id) ?? [];
    queueMicrotask(() => onRecords(initial));
    return () => this.logListeners.delete(id);
  }
  /** More log lines, as if the container printed them. */
  appendLog(id: string, records: LogRecord[]) {
    this.logListeners.get(id)?.(records);
  }
  watch(onChange: (what: 'containers' | 'images') => void) {
    this.watchers.add(onChange);
    return () => this.watchers.delete(onChange);
  }
  changed(what: 'containers' | 'images') {
    for (const w of this.watchers) w(what);
  }
  async knownRegistries() {
    this.calls.push('registries');
    return this.registries;
  }
  async catalog(domain: string) {
    this.calls.push(`catalog ${domain}`);
    const c = this.catalogs.get(domain);
    if (!c) throw new Error(`registry ${domain} refused the catalog`);
    return c;
  }
  async remoteTags(repository: string) {
    this.calls.push(`tags ${repository}`);
    const t = this.tags.get(repository);
    if (!t) throw new Error(`repository ${repository} not found`);
    return t;
  }
  async remoteDigest(repository: string, tag: string) {
    this.calls.push(`digest ${repository}:${tag}`);
    return this.digests.get(`${repository}:${tag}`) ?? 'sha256:unknown';
  }
  pull(reference: string, onEvent: PullListener) {
    this.calls.push(`pull ${reference}`);
    return new Promise<{ imageId: string; downloaded: boolean }>((resolve, reject) => {
      this.pulls.push({
        reference,
        emit: onEvent,
        finish: (error) => {
          if (error) return reject(new Error(error));
          const [repository, tag] = [reference.slice(0, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
          this.images = [...this.images, { ...image(repository, tag, 'e'), digest: this.digests.get(reference) ?? '<none>' }];
          this.changed('images');
          resolve({ imageId: `sha256:${'e'.repeat(64)}`, downloaded: true });
        },
      });
    });
  }
  /** Events of the latest pull, as the engine would send them. */
  emitPull(...events: PullEvent[]) {
    for (const e of events) this.pulls.at(-1)!.emit(e);
  }
  async runContainer(spec: { image: string; name?: string; cmd: string[]; options: RunOptions }) {
    this.calls.push(`run ${spec.image}`);
    this.runs.push(spec);
    if (this.runFailure) throw new Error(this.runFailure);
    const c = container(spec.name ?? 'random_name', 'running', { createdMinutesAgo: 0, image: spec.image });
    this.containers = [...this.containers, c];
    this.changed('containers');
    return { id: c.id, name: c.name };
  }
  async sampleStats(list: { id: string; name: string; running: boolean }[]): Promise<StatsEntry[]> {
    this.statsCalls++;
    const n = this.statsCalls;
    return list.map((c) => ({ id: c.id, name: c.name, cpuPercent: (n * 10) % 100, memory: n * 1024 * 1024, memoryLimit: 64 * 1024 * 1024, memoryPercent: n * 1.5, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 1 }));
  }
  async attach(id: string, size: { cols: number; rows: number }) {
    this.calls.push(`attach ${id.slice(0, 12)} ${size.cols}x${size.rows}`);
    const c = this.containers.find((x) => x.id === id)!;
    if (!c.request.tty) throw new Error(`${c.name} was not started with -it`);
    const pty = new FakePty(['attach']);
    this.ptys.push(pty);
    return pty;
  }
  async openShell(id: string, size: { cols: number; rows: number }, cmd?: string[]) {
    this.calls.push(`shell ${id.slice(0, 12)} ${size.cols}x${size.rows}${cmd ? ` ${JSON.stringify(cmd)}` : ''}`);
    const pty = new FakePty(cmd);
    this.ptys.push(pty);
    return pty;
  }
}
