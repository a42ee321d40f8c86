import type { TerminalSize } from '../hooks/use-terminal-size.js';
import type { AppState } from '../state/app-state.js';

/** Sizes of the parts of the screen for a terminal size and whether shells are open. */
export function screenLayout(size: TerminalSize, hasShells: boolean) {
  const columns = Math.max(20, size.columns);
  const rows = Math.max(8, size.rows);
  const bodyHeight = rows - 2; // header and status line
  const listWidth = hasShells ? Math.max(30, Math.floor(columns / 2)) : columns;
  const shellWidth = columns - listWidth;
  return { columns, rows, bodyHeight, listWidth, shellWidth, innerWidth: listWidth - 2, innerHeight: bodyHeight - 2 };
}

export type ScreenLayout = ReturnType<typeof screenLayout>;

/** Rows of the list's table body (without its header and the filter line). */
export function listBodyRows(s: AppState, innerHeight: number): number {
  const view = s.panes[s.pane];
  return innerHeight - 1 - (s.editingFilter || view.filter !== '' ? 1 : 0);
}
