import type { Dispatch, MutableRefObject } from 'react';
import type { ActionContext } from '../actions/engine-actions.js';
import { appReducer, type Action } from '../state/app-reducer.js';
import type { AppState } from '../state/app-state.js';
import { matchCommand, parseKey, splitKeys, type Keymap } from '../state/keymap.js';
import type { ScreenLayout } from '../components/screen-layout.js';
import type { KeyEnv } from '../keys/key-env.js';
import { filterKeys } from '../keys/filter-keys.js';
import { runListCommand } from '../keys/list-commands.js';
import { overlayKeys } from '../keys/overlay-keys.js';
import { shellKeys } from '../keys/shell-keys.js';
import type { ShellPanes } from './use-shell-panes.js';
import { useKeys } from './use-keys.js';

export interface AppKeyDeps {
  stateRef: MutableRefObject<AppState>;
  layoutRef: MutableRefObject<ScreenLayout>;
  dispatch: Dispatch<Action>;
  keymap: Keymap;
  ctx: ActionContext;
  shells: ShellPanes;
  quit: () => void;
  reload: () => void;
  redraw?: () => void;
}

/**
 * Hands each key to its owner: a focused shell (keys/shell-keys.ts), the filter being typed
 * (keys/filter-keys.ts), the overlay shown (its handler in keys/overlay-keys.ts; the logs viewer
 * reads its own), and only when none of these has it, the list panes' commands via the keymap.
 */
export function useAppKeys(deps: AppKeyDeps): void {
  const { stateRef, layoutRef, dispatch, keymap, ctx, shells, quit, reload, redraw } = deps;

  const handleRaw = (raw: string) => {
    // The reducer is pure: computing the next state here keeps the state current between keys
    // that arrive before React re-renders (typed fast, or pasted), and lets a key that opens an
    // overlay hand the rest of the input to it.
    let s = stateRef.current;
    const env: KeyEnv = {
      get state() {
        return s;
      },
      apply(a: Action) {
        s = appReducer(s, a);
        stateRef.current = s;
        dispatch(a);
      },
      keymap,
      ctx,
      get layout() {
        return layoutRef.current;
      },
      shells,
      quit,
      reload,
      redraw,
    };
    if (s.focus === 'shell' && s.overlay.kind === 'none' && s.shells.length > 0) return shellKeys(raw, env);
    // Esc typed right before another key arrives as one `alt+key` sequence (tmux, slow links):
    // unless alt+key means something here, it is Esc and then the key.
    const inText = s.editingFilter || (s.overlay.kind !== 'none' && overlayKeys(s.overlay).takesText);
    const altBound = s.overlay.kind === 'none' && !s.editingFilter && matchCommand(keymap, 'list', parseKey(raw)) !== undefined;
    const keys = /^\x1b[\x20-\x7e]$/.test(raw) && (inText || (s.overlay.kind === 'none' && !altBound)) ? ['\x1b', raw.slice(1)] : splitKeys(raw);
    for (const k of keys) {
      const key = parseKey(k);
      const outcome = s.editingFilter ? filterKeys(key, k, env) : s.overlay.kind !== 'none' ? overlayKeys(s.overlay).handle(s.overlay, key, k, env) : listKeys(key, env);
      if (outcome === 'stop') return;
    }
  };
  // Always listening (the logs viewer listens too, and its entry here ignores keys while it is
  // open): toggling the subscription could lose a key typed right after the viewer closed.
  useKeys(handleRaw);
}

/** The list panes' keys, when no overlay is open and no text is being typed. */
function listKeys(key: string, env: KeyEnv): 'stop' | undefined {
  const command = matchCommand(env.keymap, 'list', key);
  if (command) runListCommand(command, env);
  return command === 'quit' ? 'stop' : undefined;
}
