import type { ContainerRecord, ImageSummary, StatsEntry } from '../../core/index.js';
import { PANES, type AppState, type Overlay, type PaneId, type PaneView, type StatusMessage } from './app-state.js';
import { agesChanged, imageKey, imageRef, sortedContainers, visibleContainers, visibleImages, visibleKeys } from './selectors.js';
import { remoteReducer, type RemoteAction } from './remote-state.js';
import { pullsReducer, type PullAction } from './pulls.js';
import type { RunForm } from './run-form.js';
import { addStatsSample } from './stats-history.js';

/** Everything that changes the UI state: engine data, key commands, results of actions. */
export type Action =
  | { type: 'containersLoaded'; containers: ContainerRecord[]; now: number }
  | { type: 'imagesLoaded'; images: ImageSummary[]; now: number }
  | { type: 'tick'; now: number }
  | { type: 'focusPane'; pane: PaneId }
  | { type: 'cyclePane'; delta: 1 | -1 }
  | { type: 'move'; delta: number }
  | { type: 'moveTo'; where: 'first' | 'last' }
  | { type: 'startFilter' }
  | { type: 'setFilter'; text: string; cursor?: number }
  | { type: 'endFilter'; keep: boolean }
  | { type: 'toggleMark' }
  | { type: 'markAllVisible' }
  | { type: 'clearMarks' }
  | { type: 'requestDelete' }
  | { type: 'deleted'; pane: PaneId; keys: string[] }
  | { type: 'back' }
  | { type: 'openOverlay'; overlay: Overlay }
  | { type: 'closeOverlay' }
  | { type: 'scrollOverlay'; delta: number; max: number }
  | { type: 'paletteInput'; query: string; cursor?: number }
  | { type: 'paletteMove'; delta: number; count: number }
  | { type: 'setStatus'; status: StatusMessage | undefined }
  | { type: 'shellOpened'; id: number; containerId: string; title: string }
  | { type: 'shellClosed'; id: number }
  | { type: 'toggleShellFocus' }
  | { type: 'focusList' }
  | { type: 'nextShell' }
  | RemoteAction
  | PullAction
  | { type: 'promptInput'; text: string; cursor?: number }
  | { type: 'pickerInput'; query: string; cursor?: number }
  | { type: 'pickerMove'; delta: number; count: number }
  | { type: 'runFormUpdate'; form: RunForm }
  /** The engine refused the form's container: the form stays open with the message. */
  | { type: 'runFormFailed'; error: string }
  | { type: 'statsSampled'; entries: StatsEntry[] };

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

function withPane(state: AppState, pane: PaneId, change: Partial<PaneView>): AppState {
  return { ...state, panes: { ...state.panes, [pane]: { ...state.panes[pane], ...change } } };
}

/** The selection keeps pointing at the same row (by key) when the rows change under it. */
function reselect(before: AppState, after: AppState, pane: PaneId): AppState {
  const oldKeys = visibleKeys(before, pane);
  const oldKey = oldKeys[before.panes[pane].selected];
  const keys = visibleKeys(after, pane);
  const found = oldKey === undefined ? -1 : keys.indexOf(oldKey);
  const selected = found >= 0 ? found : clamp(before.panes[pane].selected, 0, Math.max(0, keys.length - 1));
  return withPane(after, pane, { selected });
}

/** Marks of rows that no longer exist are dropped (a removed container cannot stay marked). */
function pruneMarks(state: AppState, pane: PaneId, existing: Set<string>): AppState {
  const marked = state.panes[pane].marked;
  if ([...marked].every((k) => existing.has(k))) return state;
  return withPane(state, pane, { marked: new Set([...marked].filter((k) => existing.has(k))) });
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** The confirmation for deleting the marked rows of the pane, or the selected one when none is marked. */
function deleteConfirmation(state: AppState): Overlay | StatusMessage {
  if (state.pane === 'containers') {
    const marked = state.panes.containers.marked;
    const targets = marked.size > 0 ? sortedContainers(state.containers).filter((c) => marked.has(c.id)) : [visibleContainers(state)[state.panes.containers.selected]].filter((c) => c !== undefined);
    if (targets.length === 0) return { text: 'nothing to delete', level: 'info' };
    const items = targets.map((c) => {
      const live = c.state.status === 'running' || c.state.status === 'paused';
      return `${c.name}  ${shortId(c.id)}  ${c.state.status}${live ? ' (will be killed)' : ''}`;
    });
    return {
      kind: 'confirm',
      title: `Remove ${targets.length} container${targets.length === 1 ? '' : 's'}?`,
      items,
      request: { pane: 'containers', ids: targets.map((c) => c.id) },
    };
  }
  if (state.pane === 'images') {
    const marked = state.panes.images.marked;
    const targets = marked.size > 0 ? state.images.filter((i) => marked.has(imageKey(i))) : [visibleImages(state)[state.panes.images.selected]].filter((i) => i !== undefined);
    if (targets.length === 0) return { text: 'nothing to delete', level: 'info' };
    const refs = [...new Set(targets.map(imageRef))];
    return {
      kind: 'confirm',
      title: `Remove ${refs.length} image${refs.length === 1 ? '' : 's'}?`,
      items: refs.map((r) => (r.startsWith('sha256:') ? shortId(r) : r)),
      request: { pane: 'images', refs },
    };
  }
  return { text: 'repositories are removed through their images (pane 2)', level: 'info' };
}

/** The one state transition function: pure, tested without rendering. */
export function appReducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'containersLoaded': {
      const next = reselect(state, { ...state, containers: action.containers, now: action.now, loaded: { ...state.loaded, containers: true } }, 'containers');
      return pruneMarks(next, 'containers', new Set(action.containers.map((c) => c.id)));
    }
    case 'imagesLoaded': {
      let next: AppState = { ...state, images: action.images, now: action.now, loaded: { ...state.loaded, images: true } };
      next = reselect(state, next, 'images');
      next = reselect(state, next, 'repositories');
      return pruneMarks(next, 'images', new Set(action.images.map(imageKey)));
    }
    case 'registriesLoaded':
    case 'catalogFetch':
    case 'tagsFetch':
    case 'digestFetch':
    case 'repositoryAdded':
    case 'remoteReset':
      // Catalogs and typed names add rows: the cursor stays on the row it was on.
      return reselect(state, { ...state, remote: remoteReducer(state.remote, action) }, 'repositories');
    case 'pullStarted':
    case 'pullProgress':
    case 'pullFinished':
    case 'pullDismissed':
      return { ...state, pulls: pullsReducer(state.pulls, action) };
    case 'promptInput':
      return state.overlay.kind === 'prompt' ? { ...state, overlay: { ...state.overlay, text: action.text, cursor: action.cursor } } : state;
    case 'pickerInput':
      // Moving the cursor alone keeps the choice; a changed query starts at the first match.
      return state.overlay.kind === 'tagPicker'
        ? { ...state, overlay: { ...state.overlay, query: action.query, cursor: action.cursor, selected: action.query === state.overlay.query ? state.overlay.selected : 0 } }
        : state;
    case 'pickerMove':
      return state.overlay.kind === 'tagPicker'
        ? { ...state, overlay: { ...state.overlay, selected: clamp(state.overlay.selected + action.delta, 0, Math.max(0, action.count - 1)) } }
        : state;
    case 'runFormUpdate':
      return state.overlay.kind === 'runForm' ? { ...state, overlay: { kind: 'runForm', form: action.form } } : state;
    case 'runFormFailed':
      return state.overlay.kind === 'runForm'
        ? { ...state, overlay: { kind: 'runForm', form: { ...state.overlay.form, submitting: false, errors: { ...state.overlay.form.errors, form: action.error } } } }
        : state;
    case 'statsSampled':
      return state.overlay.kind === 'stats' ? { ...state, stats: addStatsSample(state.stats, action.entries) } : state;
    case 'tick':
      // The same state when no age text changes: React then skips the render.
      return agesChanged(state, action.now) ? { ...state, now: action.now } : state;
    case 'focusPane':
      return { ...state, pane: action.pane, focus: 'list', editingFilter: false };
    case 'cyclePane': {
      const i = PANES.indexOf(state.pane);
      return { ...state, pane: PANES[(i + action.delta + PANES.length) % PANES.length]!, editingFilter: false };
    }
    case 'move': {
      const count = visibleKeys(state, state.pane).length;
      const selected = clamp(state.panes[state.pane].selected + action.delta, 0, Math.max(0, count - 1));
      return withPane(state, state.pane, { selected });
    }
    case 'moveTo': {
      const count = visibleKeys(state, state.pane).length;
      return withPane(state, state.pane, { selected: action.where === 'first' ? 0 : Math.max(0, count - 1) });
    }
    case 'startFilter':
      return { ...state, editingFilter: true, filterCursor: undefined };
    case 'setFilter': {
      const view = state.panes[state.pane];
      const next = { ...state, filterCursor: action.cursor };
      return action.text === view.filter ? next : withPane(next, state.pane, { filter: action.text, selected: 0 });
    }
    case 'endFilter':
      return action.keep ? { ...state, editingFilter: false, filterCursor: undefined } : withPane({ ...state, editingFilter: false, filterCursor: undefined }, state.pane, { filter: '', selected: 0 });
    case 'toggleMark': {
      const view = state.panes[state.pane];
      const keys = visibleKeys(state, state.pane);
      const key = keys[view.selected];
      if (key === undefined) return state;
      const marked = new Set(view.marked);
      if (marked.has(key)) marked.delete(key);
      else marked.add(key);
      // Space marks and moves on, as in file managers: several rows in a row are quick to mark.
      return withPane(state, state.pane, { marked, selected: clamp(view.selected + 1, 0, keys.length - 1) });
    }
    case 'markAllVisible': {
      const view = state.panes[state.pane];
      const keys = visibleKeys(state, state.pane);
      const allMarked = keys.length > 0 && keys.every((k) => view.marked.has(k));
      const marked = new Set(view.marked);
      for (const k of keys) {
        if (allMarked) marked.delete(k);
        else marked.add(k);
      }
      return withPane(state, state.pane, { marked });
    }
    case 'clearMarks':
      return withPane(state, state.pane, { marked: new Set() });
    case 'requestDelete': {
      const result = deleteConfirmation(state);
      return 'kind' in result ? { ...state, overlay: result } : { ...state, status: result };
    }
    case 'deleted': {
      const marked = new Set(state.panes[action.pane].marked);
      for (const k of action.keys) marked.delete(k);
      return withPane(state, action.pane, { marked });
    }
    case 'back': {
      if (state.overlay.kind !== 'none') return { ...state, overlay: { kind: 'none' } };
      if (state.editingFilter) return { ...state, editingFilter: false };
      const view = state.panes[state.pane];
      if (view.filter !== '') return withPane(state, state.pane, { filter: '', selected: 0 });
      if (view.marked.size > 0) return withPane(state, state.pane, { marked: new Set() });
      return state.status ? { ...state, status: undefined } : state;
    }
    case 'openOverlay':
      // The stats view starts its sparklines afresh: samples are only taken while it is open.
      return { ...state, overlay: action.overlay, editingFilter: false, ...(action.overlay.kind === 'stats' && { stats: {} }) };
    case 'closeOverlay':
      return { ...state, overlay: { kind: 'none' } };
    case 'scrollOverlay': {
      const o = state.overlay;
      if (o.kind !== 'help' && o.kind !== 'inspect' && o.kind !== 'stats') return state;
      return { ...state, overlay: { ...o, offset: clamp(o.offset + action.delta, 0, Math.max(0, action.max)) } };
    }
    case 'paletteInput':
      return state.overlay.kind === 'palette'
        ? { ...state, overlay: { ...state.overlay, query: action.query, cursor: action.cursor, selected: action.query === state.overlay.query ? state.overlay.selected : 0 } }
        : state;
    case 'paletteMove':
      return state.overlay.kind === 'palette'
        ? { ...state, overlay: { ...state.overlay, selected: clamp(state.overlay.selected + action.delta, 0, Math.max(0, action.count - 1)) } }
        : state;
    case 'setStatus':
      return { ...state, status: action.status };
    case 'shellOpened': {
      const shell = { id: action.id, containerId: action.containerId, title: action.title };
      return { ...state, shells: [...state.shells, shell], activeShell: state.shells.length, focus: 'shell', overlay: { kind: 'none' } };
    }
    case 'shellClosed': {
      const index = state.shells.findIndex((s) => s.id === action.id);
      if (index < 0) return state;
      const shells = state.shells.filter((s) => s.id !== action.id);
      const activeShell = clamp(index < state.activeShell ? state.activeShell - 1 : state.activeShell, 0, Math.max(0, shells.length - 1));
      return { ...state, shells, activeShell, focus: shells.length === 0 ? 'list' : state.focus };
    }
    case 'toggleShellFocus':
      if (state.shells.length === 0) return { ...state, focus: 'list', status: { text: 'no shell open: press e on a running container', level: 'info' } };
      return { ...state, focus: state.focus === 'shell' ? 'list' : 'shell', editingFilter: false };
    case 'focusList':
      return { ...state, focus: 'list' };
    case 'nextShell':
      if (state.shells.length === 0) return state;
      return { ...state, activeShell: (state.activeShell + 1) % state.shells.length };
  }
}
