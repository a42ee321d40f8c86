import type { TerminalSize } from '../hooks/use-terminal-size.js';
import type { AppState } from '../state/app-state.js';

/** The pulls strip takes at most a quarter of the screen. */
export function maxStripRows(size: TerminalSize): number {
  return Math.max(1, Math.floor(Math.max(8, size.rows) / 4));
}

/** Sizes of the parts of the screen for a terminal size, whether shells are open and the pulls strip's rows. */
export function screenLayout(size: TerminalSize, hasShells: boolean, stripRows = 0) {
  const columns = Math.max(20, size.columns);
  const rows = Math.max(8, size.rows);
  const bodyHeight = rows - 2 - stripRows; // header, status line and the pulls strip
  const listWidth = hasShells ? Math.max(30, Math.floor(columns / 2)) : columns;
  const shellWidth = columns - listWidth;
  return { columns, rows, stripRows, bodyHeight, listWidth, shellWidth, innerWidth: listWidth - 2, innerHeight: bodyHeight - 2 };
}

export type ScreenLayout = ReturnType<typeof screenLayout>;

/** Rows of the list's table body (without its header and the filter line). */
export function listBodyRows(s: AppState, innerHeight: number): number {
  const view = s.panes[s.pane];
  return innerHeight - 1 - (s.editingFilter || view.filter !== '' ? 1 : 0);
}
