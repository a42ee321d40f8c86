import { useCallback, useEffect, useMemo, type Dispatch } from 'react';
import type { UiBackend } from '../data/ui-backend.js';
import type { Action } from '../state/app-reducer.js';
import type { AppState, ShellPane } from '../state/app-state.js';
import type { Keymap } from '../state/keymap.js';
import { ShellSessions } from '../terminal/shell-sessions.js';
import { shellInnerSize } from '../components/ShellPane.js';
import { screenLayout, type ScreenLayout } from '../components/screen-layout.js';
import type { TerminalSize } from './use-terminal-size.js';

export interface ShellPanes {
  sessions: ShellSessions;
  /** A shell (`runc exec`), or with `attach` the container's own terminal. */
  /** A shell (or `cmd`) in the container, or an attach to its terminal, in a split pane. */
  openShell: (containerId: string, name: string, how?: 'shell' | 'attach', cmd?: string[]) => Promise<void>;
  closeActiveShell: (s: AppState) => void;
}

/**
 * The shells' lifecycle: open (runc exec under a PTY sized for the pane it will get), follow the
 * pane's size, close on request, on their own exit (keeping a failed shell's last line in the
 * status line), and when the app goes.
 */
export function useShellPanes(opts: { backend: UiBackend; dispatch: Dispatch<Action>; keymap: Keymap; shells: readonly ShellPane[]; terminal: TerminalSize; layout: ScreenLayout }): ShellPanes {
  const { backend, dispatch, keymap, shells, terminal, layout } = opts;
  const sessions = useMemo(() => new ShellSessions(), []);
  useEffect(() => () => sessions.closeAll(), [sessions]);

  // Shells follow the pane's size: on terminal resize and when the split appears.
  const inner = shellInnerSize(layout.shellWidth, layout.bodyHeight);
  useEffect(() => {
    for (const s of shells) sessions.resize(s.id, inner.cols, inner.rows);
  }, [sessions, shells, inner.cols, inner.rows]);

  const openShell = useCallback(
    async (containerId: string, name: string, how: 'shell' | 'attach' = 'shell', cmd?: string[]) => {
      // The split appears with the shell: size the PTY for the pane it will have.
      const after = screenLayout(terminal, true, layout.stripRows);
      const size = shellInnerSize(after.shellWidth, after.bodyHeight);
      const what = how === 'attach' ? 'attach to' : 'shell in';
      dispatch({ type: 'setStatus', status: { text: how === 'attach' ? `attaching to ${name}…` : `opening a shell in ${name}…`, level: 'info' } });
      try {
        const pty = how === 'attach' ? await backend.attach(containerId, size) : await backend.openShell(containerId, size, cmd);
        const id = sessions.add(pty, size, (shellId, exitCode) => {
          // A shell that failed (exec failed: ... not found) takes its message with it: keep the last line.
          const last = exitCode === 0 ? '' : sessions.lastLine(shellId);
          sessions.close(shellId);
          dispatch({ type: 'shellClosed', id: shellId });
          const ended = how === 'attach' ? `${name} closed its terminal (the container exited?)` : `shell in ${name} exited (${exitCode})`;
          dispatch({ type: 'setStatus', status: { text: `${ended}${last ? `: ${last}` : ''}`, level: exitCode === 0 ? 'info' : 'error' } });
        });
        dispatch({ type: 'shellOpened', id, containerId, title: `${name}:${pty.command.join(' ')}` });
        dispatch({
          type: 'setStatus',
          status: { text: `${what} ${name}: ${keymap.toggleShellFocus[0] ?? 'f6'} switches between the list and the pane${how === 'attach' ? `, ${keymap.closeShell[0] ?? 'f8'} detaches` : ''}`, level: 'info' },
        });
      } catch (err) {
        dispatch({ type: 'setStatus', status: { text: `${what} ${name}: ${(err as Error).message}`, level: 'error' } });
      }
    },
    [backend, sessions, terminal, layout.stripRows, keymap, dispatch],
  );

  const closeActiveShell = useCallback(
    (s: AppState) => {
      const shell = s.shells[s.activeShell];
      if (!shell) return;
      sessions.close(shell.id);
      dispatch({ type: 'shellClosed', id: shell.id });
    },
    [sessions, dispatch],
  );

  return { sessions, openShell, closeActiveShell };
}
