import { formatLogRecord, type LogRecord } from '../../core/index.js';

/** The most log lines the viewer keeps; older ones are dropped from its memory (not from the file). */
export const MAX_LOG_RECORDS = 20_000;

/** State of the logs viewer; `offset` is the first screen line shown. */
export interface LogsViewState {
  records: LogRecord[];
  timestamps: boolean;
  wrap: boolean;
  /** Stay at the end as lines arrive (`f`, or `G`); moving up stops following. */
  follow: boolean;
  offset: number;
  /** Typing a search after `/`. */
  searching: boolean;
  query: string;
  /** The cursor in the search text while typing it (code points; undefined: at the end). */
  searchCursor?: number;
  /** Line of the current match, for highlighting. */
  matchLine?: number;
  error?: string;
}

export type LogsAction =
  | { type: 'append'; records: LogRecord[] }
  | { type: 'error'; message: string }
  | { type: 'toggleTimestamps' }
  | { type: 'toggleWrap' }
  | { type: 'follow' }
  | { type: 'scroll'; delta: number; total: number; height: number }
  | { type: 'scrollTo'; where: 'first' | 'last'; total: number; height: number }
  | { type: 'startSearch' }
  | { type: 'searchInput'; query: string; cursor?: number }
  | { type: 'endSearch'; keep: boolean }
  | { type: 'jump'; line: number; total: number; height: number };

export function initialLogsView(): LogsViewState {
  return { records: [], timestamps: false, wrap: false, follow: true, offset: 0, searching: false, query: '' };
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));
const maxOffset = (total: number, height: number) => Math.max(0, total - height);

export function logsReducer(state: LogsViewState, action: LogsAction): LogsViewState {
  switch (action.type) {
    case 'append': {
      if (action.records.length === 0) return state;
      const all = state.records.concat(action.records);
      return { ...state, records: all.length > MAX_LOG_RECORDS ? all.slice(-MAX_LOG_RECORDS) : all, error: undefined };
    }
    case 'error':
      return { ...state, error: action.message };
    case 'toggleTimestamps':
      return { ...state, timestamps: !state.timestamps };
    case 'toggleWrap':
      return { ...state, wrap: !state.wrap };
    case 'follow':
      return { ...state, follow: true };
    case 'scroll': {
      const offset = clamp((state.follow ? maxOffset(action.total, action.height) : state.offset) + action.delta, 0, maxOffset(action.total, action.height));
      return { ...state, offset, follow: action.delta > 0 && offset === maxOffset(action.total, action.height) ? state.follow : false };
    }
    case 'scrollTo':
      return action.where === 'last' ? { ...state, follow: true, offset: maxOffset(action.total, action.height) } : { ...state, follow: false, offset: 0 };
    case 'startSearch':
      return { ...state, searching: true };
    case 'searchInput':
      return action.query === state.query ? { ...state, searchCursor: action.cursor } : { ...state, query: action.query, searchCursor: action.cursor, matchLine: undefined };
    case 'endSearch':
      return action.keep ? { ...state, searching: false } : { ...state, searching: false, query: '', matchLine: undefined };
    case 'jump': {
      // Show the match a third of the way down the screen, as less does roughly.
      const offset = clamp(action.line - Math.floor(action.height / 3), 0, maxOffset(action.total, action.height));
      return { ...state, offset, follow: false, matchLine: action.line };
    }
  }
}

/** The screen lines of the log at a width: one a record, or several when wrapping. */
export function layoutLogLines(records: readonly LogRecord[], opts: { timestamps: boolean; wrap: boolean; width: number }): string[] {
  const out: string[] = [];
  const width = Math.max(1, opts.width);
  for (const r of records) {
    // Terminal control characters in the log would break the screen; show tabs as spaces.
    const text = formatLogRecord(r, { timestamps: opts.timestamps }).replace(/\n$/, '').replace(/\t/g, '    ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    if (!opts.wrap || text.length <= width) {
      out.push(text);
      continue;
    }
    for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  }
  return out;
}

/** Lines containing the query (case-insensitive). */
export function findMatches(lines: readonly string[], query: string): number[] {
  if (query === '') return [];
  const q = query.toLowerCase();
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (l.toLowerCase().includes(q)) out.push(i);
  });
  return out;
}

/** The next match after `from` (n), or the one before it (N), wrapping around. */
export function nextMatch(matches: readonly number[], from: number, direction: 1 | -1): number | undefined {
  if (matches.length === 0) return undefined;
  if (direction === 1) return matches.find((m) => m > from) ?? matches[0];
  return [...matches].reverse().find((m) => m < from) ?? matches[matches.length - 1];
}

/** The first line shown: the end when following. */
export function effectiveOffset(state: LogsViewState, total: number, height: number): number {
  return state.follow ? maxOffset(total, height) : clamp(state.offset, 0, maxOffset(total, height));
}
