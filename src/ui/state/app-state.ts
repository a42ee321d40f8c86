import type { ContainerRecord } from '../../core/runtime/container-record.js';
import type { ImageSummary } from '../../core/engine.js';

/** The list panes, in Tab order; digits 1-3 jump to them. */
export type PaneId = 'containers' | 'images' | 'repositories';
export const PANES: readonly PaneId[] = ['containers', 'images', 'repositories'];
export const PANE_TITLES: Record<PaneId, string> = { containers: 'Containers', images: 'Images', repositories: 'Repositories' };

/** Per-pane view state: the selected row (index into the visible, filtered rows), the filter and marks. */
export interface PaneView {
  selected: number;
  filter: string;
  /** Row keys: container IDs, image row keys, repository names. */
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
  | { kind: 'palette'; query: string; selected: number };

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
  panes: Record<PaneId, PaneView>;
  overlay: Overlay;
  status?: StatusMessage;
  shells: ShellPane[];
  /** Index into `shells` of the one shown. */
  activeShell: number;
  containers: ContainerRecord[];
  images: ImageSummary[];
  loaded: { containers: boolean; images: boolean };
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
    now,
  };
}
