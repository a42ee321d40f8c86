import { useEffect, useMemo, useReducer } from 'react';
import { Box, Text } from 'ink';
import type { UiBackend } from '../data/ui-backend.js';
import { useKeys } from '../hooks/use-keys.js';
import { matchCommand, parseKey, splitKeys, type Keymap } from '../state/keymap.js';
import { effectiveOffset, findMatches, initialLogsView, layoutLogLines, logsReducer, nextMatch } from '../state/logs-view.js';
import { editField, showField } from '../state/text-prompt.js';
import { fit } from './columns.js';

export interface LogsOverlayProps {
  backend: UiBackend;
  containerId: string;
  name: string;
  keymap: Keymap;
  width: number;
  height: number;
  onClose: () => void;
  onQuit: () => void;
}

/** A container's log, following new lines; t timestamps, w wrap, / search with n/N. */
export function LogsOverlay({ backend, containerId, name, keymap, width, height, onClose, onQuit }: LogsOverlayProps) {
  const [state, dispatch] = useReducer(logsReducer, undefined, initialLogsView);

  useEffect(
    () =>
      backend.followLog(
        containerId,
        (records) => dispatch({ type: 'append', records }),
        (err) => dispatch({ type: 'error', message: err.message }),
      ),
    [backend, containerId],
  );

  const body = Math.max(1, height - 2);
  const lines = useMemo(() => layoutLogLines(state.records, { timestamps: state.timestamps, wrap: state.wrap, width }), [state.records, state.timestamps, state.wrap, width]);
  const matches = useMemo(() => findMatches(lines, state.query), [lines, state.query]);
  const offset = effectiveOffset(state, lines.length, body);
  const total = lines.length;

  useKeys((raw) => {
    // Several keys may come at once (typed fast): track the prompt locally between them.
    let searching = state.searching;
    let query = state.query;
    let cursor = state.searchCursor;
    for (const k of splitKeys(raw)) {
      const key = parseKey(k);
      if (searching) {
        const r = editField(query, cursor, key, k);
        if (r.kind === 'edit') {
          query = r.text;
          cursor = r.cursor;
          dispatch({ type: 'searchInput', query, cursor });
        } else if (r.kind === 'cancel') {
          searching = false;
          dispatch({ type: 'endSearch', keep: false });
        } else if (r.kind === 'submit') {
          searching = false;
          dispatch({ type: 'endSearch', keep: true });
          const m = nextMatch(findMatches(lines, r.text), offset - 1, 1);
          if (m !== undefined) dispatch({ type: 'jump', line: m, total, height: body });
        }
        continue;
      }
      const command = matchCommand(keymap, 'logs', key);
      switch (command) {
        case 'close':
          onClose();
          return;
        case 'quit':
          onQuit();
          return;
        case 'logsTimestamps':
          dispatch({ type: 'toggleTimestamps' });
          break;
        case 'logsWrap':
          dispatch({ type: 'toggleWrap' });
          break;
        case 'logsFollow':
          dispatch({ type: 'scrollTo', where: 'last', total, height: body });
          break;
        case 'search':
          searching = true;
          query = '';
          cursor = undefined;
          dispatch({ type: 'startSearch' });
          dispatch({ type: 'searchInput', query: '' });
          break;
        case 'searchNext':
        case 'searchPrev': {
          const from = state.matchLine ?? (command === 'searchNext' ? offset - 1 : offset + body);
          const m = nextMatch(matches, from, command === 'searchNext' ? 1 : -1);
          if (m !== undefined) dispatch({ type: 'jump', line: m, total, height: body });
          break;
        }
        case 'up':
          dispatch({ type: 'scroll', delta: -1, total, height: body });
          break;
        case 'down':
          dispatch({ type: 'scroll', delta: 1, total, height: body });
          break;
        case 'pageUp':
          dispatch({ type: 'scroll', delta: -body, total, height: body });
          break;
        case 'pageDown':
          dispatch({ type: 'scroll', delta: body, total, height: body });
          break;
        case 'top':
          dispatch({ type: 'scrollTo', where: 'first', total, height: body });
          break;
        case 'bottom':
          dispatch({ type: 'scrollTo', where: 'last', total, height: body });
          break;
      }
    }
  });

  const flags = [state.follow ? 'follow' : '', state.timestamps ? 'timestamps' : '', state.wrap ? 'wrap' : ''].filter(Boolean).join(' ');
  const shown = lines.slice(offset, offset + body);
  const q = state.query.toLowerCase();
  const footer = state.searching
    ? `/${showField(state.query, state.searchCursor)}`
    : state.error
      ? `error: ${state.error}`
      : `${total === 0 ? 'no output' : `${offset + 1}-${Math.min(total, offset + body)} of ${total}`}${state.query ? `  /${state.query} (${matches.length})` : ''}   t time  w wrap  f follow  / search  n/N  q close`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan" wrap="truncate">{fit(`Logs: ${name}  ${flags ? `[${flags}]` : ''}`, width)}</Text>
      {shown.map((l, i) => {
        const lineNo = offset + i;
        const hit = q !== '' && l.toLowerCase().includes(q);
        return (
          <Text key={lineNo} wrap="truncate" inverse={lineNo === state.matchLine} color={hit ? 'yellow' : undefined}>
            {fit(l, width)}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      <Text dimColor={!state.searching && !state.error} color={state.error ? 'red' : undefined} wrap="truncate">{fit(footer, width)}</Text>
    </Box>
  );
}
