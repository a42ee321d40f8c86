import type { ContainerRecord, ImageSummary } from '../../core/index.js';
import { initialRemoteState, type RemoteState } from './remote-state.js';
import type { PullView } from './pulls.js';
import type { RunForm } from './run-form.js';
import type { StatsHistory } from './stats-history.js';

/** The list panes, in Tab order; digits 1-3 jump to them. */
export type PaneId = 'containers' | 'images' | 'repositories';
export const PANES: readonly PaneId[] = ['containers', 'images', 'repositories'];
export const PANE_TITLES: Record<PaneId, string> = { containers: 'Containers', images: 'Images', repositories: 'Repositories' };

/** Per-pane view state: the selected row (index into the visible, filtered rows), the filter and marks. */
export interface PaneView {
  selected: number;
  filter: string;
  /** Row keys: container IDs, image row keys, repository row keys. */
  marked: ReadonlySet<string>;
}

/** What deleting asks to confirm. */
export type DeleteRequest =
  | { pane: 'containers'; ids: string[] }
  | { pane: 'images'; refs: string[] };

export type Overlay =
  | { kind: 'none' }
  | { kind: 'help'; offset: number }
  | { kind: 'inspect'; title: string; lines: string[]; offset: number }
  | { kind: 'confirm'; title: string; items: string[]; request: DeleteRequest }
  | { kind: 'logs'; containerId: string; name: string }
  | { kind: 'palette'; query: string; selected: number; cursor?: number }
  /** The remote tags of a repository, narrowed as the user types; Enter pulls the chosen one. */
  | { kind: 'tagPicker'; repository: string; query: string; selected: number; cursor?: number }
  /** A one-line question: an image reference to pull, a repository to list. */
  | { kind: 'prompt'; purpose: 'pull' | 'addRepository'; text: string; cursor?: number }
  | { kind: 'prompt'; purpose: 'tag'; text: string; source: string; cursor?: number }
  | { kind: 'runForm'; form: RunForm }
  /** CPU and memory of the running containers, sampled while this is open. */
  | { kind: 'stats'; offset: number };

/** A shell pane: the PTY itself lives outside the state (see use-shells.ts), keyed by `id`. */
export interface ShellPane {
  id: number;
  containerId: string;
  title: string;
}

export interface StatusMessage {
  text: string;
  level: 'info' | 'error';
}

export interface AppState {
  /** The list pane shown. */
  pane: PaneId;
  /** Whether keys go to the list side or to the active shell pane. */
  focus: 'list' | 'shell';
  /** Typing after `/`: keys go to the active pane's filter. */
  editingFilter: boolean;
  /** Where the filter's cursor is while editing it (code points; undefined: at the end). */
  filterCursor?: number;
  panes: Record<PaneId, PaneView>;
  overlay: Overlay;
  status?: StatusMessage;
  shells: ShellPane[];
  /** Index into `shells` of the one shown. */
  activeShell: number;
  containers: ContainerRecord[];
  images: ImageSummary[];
  loaded: { containers: boolean; images: boolean };
  /** Registries, catalogs, remote tags and digests as they arrive. */
  remote: RemoteState;
  /** Pulls in progress (and finished ones, for a few seconds). */
  pulls: PullView[];
  stats: StatsHistory;
  /** The clock relative ages are shown against; advanced by a slow timer. */
  now: number;
}

export function initialState(now = Date.now()): AppState {
  const view = (): PaneView => ({ selected: 0, filter: '', marked: new Set() });
  return {
    pane: 'containers',
    focus: 'list',
    editingFilter: false,
    panes: { containers: view(), images: view(), repositories: view() },
    overlay: { kind: 'none' },
    shells: [],
    activeShell: 0,
    containers: [],
    images: [],
    loaded: { containers: false, images: false },
    remote: initialRemoteState(),
    pulls: [],
    stats: {},
    now,
  };
}
