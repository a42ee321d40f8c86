import type { ActionContext } from '../actions/engine-actions.js';
import type { Action } from '../state/app-reducer.js';
import type { AppState, Overlay } from '../state/app-state.js';
import type { Keymap } from '../state/keymap.js';
import type { ScreenLayout } from '../components/screen-layout.js';
import type { ShellPanes } from '../hooks/use-shell-panes.js';

/**
 * What a key handler works with. `state` is the state as of this key: the router advances it
 * through the pure reducer between the keys of one input (typed fast, pasted), before React
 * renders, so a handler never sees a stale state.
 */
export interface KeyEnv {
  readonly state: AppState;
  /** Reduces into `state` and dispatches to React. */
  apply(action: Action): void;
  keymap: Keymap;
  ctx: ActionContext;
  layout: ScreenLayout;
  shells: ShellPanes;
  quit(): void;
  reload(): void;
  redraw?: () => void;
}

/** `stop`: the rest of this input is dropped (the app quits). */
export type KeyOutcome = 'stop' | undefined;

/** One key (as parseKey names it, with its raw bytes) for an overlay of kind `K`. */
export type OverlayKeyHandler<K extends Overlay['kind'] = Overlay['kind']> = (overlay: Extract<Overlay, { kind: K }>, key: string, raw: string, env: KeyEnv) => KeyOutcome;

/** How an overlay takes keys. */
export interface OverlayKeys<K extends Overlay['kind']> {
  handle: OverlayKeyHandler<K>;
  /** It has a text field: a quick Esc+key (read as alt+key) is Esc, then the key. */
  takesText: boolean;
}

export const info = (text: string): Action => ({ type: 'setStatus', status: { text, level: 'info' } });
export const problem = (text: string): Action => ({ type: 'setStatus', status: { text, level: 'error' } });
