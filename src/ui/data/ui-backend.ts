import type { ContainerRecord, ImageSummary, HistoryRow, LogRecord, PtySession, KnownRegistry, PullListener, StatsEntry, RunOptions } from '../../core/index.js';

export type ContainerVerb = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill';

/**
 * Everything the TUI asks of the engine, as one small interface: components and tests depend on
 * this, not on the Engine, so render tests run against a fake (see test/unit/ui-fake-backend.ts).
 */
export interface UiBackend {
  /** The config file's `keymap` (command -> keys). */
  readonly keymapOverrides: Record<string, unknown>;
  listContainers(): Promise<ContainerRecord[]>;
  listImages(): Promise<ImageSummary[]>;
  containerAction(verb: ContainerVerb, id: string): Promise<void>;
  removeContainer(id: string, opts: { force: boolean }): Promise<void>;
  /** `rmi` of a tag or ID; resolves with what was untagged/deleted. */
  removeImage(ref: string): Promise<string[]>;
  inspectContainer(id: string): Promise<unknown>;
  inspectImage(ref: string): Promise<unknown>;
  /** `history` rows of an image, newest first. */
  imageHistory(ref: string): Promise<HistoryRow[]>;
  /** `tag SOURCE TARGET`. */
  tagImage(source: string, target: string): Promise<void>;
  /**
   * The container's log so far, then new lines as they are written (each record a whole line:
   * partial fragments are joined). Returns a function that stops following.
   */
  followLog(id: string, onRecords: (records: LogRecord[]) => void, onError: (err: Error) => void): () => void;
  /** Calls back (debounced) when containers or images change on disk, by any tsdock process. */
  watch(onChange: (what: 'containers' | 'images') => void): () => void;
  /** Registries from the config and the credentials file (local images add theirs in the UI). */
  knownRegistries(): Promise<KnownRegistry[]>;
  /** A registry's repositories (`/v2/_catalog`); many registries refuse. */
  catalog(domain: string): Promise<string[]>;
  /** A repository's tags (`tags/list`). */
  remoteTags(repository: string): Promise<string[]>;
  /** The manifest digest a remote tag resolves to now. */
  remoteDigest(repository: string, tag: string): Promise<string>;
  /** Pulls an image, reporting progress; resolves when it is stored and tagged. */
  pull(reference: string, onEvent: PullListener): Promise<{ imageId: string; downloaded: boolean }>;
  /** Creates a container from a local image with `run`'s options and starts it detached. */
  runContainer(spec: { image: string; name?: string; cmd: string[]; options: RunOptions }): Promise<{ id: string; name: string }>;
  /** CPU and memory of containers from their cgroups (CPU relative to the previous call). */
  sampleStats(containers: { id: string; name: string; running: boolean }[]): Promise<StatsEntry[]>;
  /** Attaches to a running container started with -it (its own tty, held by conmon); kill() detaches. */
  attach(id: string, size: { cols: number; rows: number }): Promise<PtySession>;
  /** A shell (or `cmd`) in a running container under a PTY of the given size. */
  openShell(id: string, size: { cols: number; rows: number }, cmd?: string[]): Promise<PtySession>;
}
