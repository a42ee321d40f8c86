import { useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, Text } from 'ink';
import type { UiBackend } from '../data/ui-backend.js';
import { useKeys } from '../hooks/use-keys.js';
import { matchCommand, parseKey, splitKeys, type Keymap } from '../state/keymap.js';
import { effectiveOffset, findMatches, initialLogsView, layoutLogLines, logsReducer, nextMatch, type LogsAction } from '../state/logs-view.js';
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

  // The state as the last key left it: keys may come faster than React renders (typed fast,
  // `/` and the search sent at once), and each must see what the one before it did.
  const latest = useRef(state);
  latest.current = state;

  useKeys((raw) => {
    let s = latest.current;
    const apply = (a: LogsAction) => {
      s = logsReducer(s, a);
      latest.current = s;
      dispatch(a);
    };
    for (const k of splitKeys(raw)) {
      const key = parseKey(k);
      if (s.searching) {
        const r = editField(s.query, s.searchCursor, key, k);
        if (r.kind === 'edit') apply({ type: 'searchInput', query: r.text, cursor: r.cursor });
        else if (r.kind === 'cancel') apply({ type: 'endSearch', keep: false });
        else if (r.kind === 'submit') {
          apply({ type: 'endSearch', keep: true });
          const m = nextMatch(findMatches(lines, r.text), offset - 1, 1);
          if (m !== undefined) apply({ type: 'jump', line: m, total, height: body });
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
          apply({ type: 'toggleTimestamps' });
          break;
        case 'logsWrap':
          apply({ type: 'toggleWrap' });
          break;
        case 'logsFollow':
          apply({ type: 'scrollTo', where: 'last', total, height: body });
          break;
        case 'search':
          apply({ type: 'startSearch' });
          apply({ type: 'searchInput', query: '' });
          break;
        case 'searchNext':
        case 'searchPrev': {
          const from = s.matchLine ?? (command === 'searchNext' ? offset - 1 : offset + body);
          const m = nextMatch(matches, from, command === 'searchNext' ? 1 : -1);
          if (m !== undefined) apply({ type: 'jump', line: m, total, height: body });
          break;
        }
        case 'up':
          apply({ type: 'scroll', delta: -1, total, height: body });
          break;
        case 'down':
          apply({ type: 'scroll', delta: 1, total, height: body });
          break;
        case 'pageUp':
          apply({ type: 'scroll', delta: -body, total, height: body });
          break;
        case 'pageDown':
          apply({ type: 'scroll', delta: body, total, height: body });
          break;
        case 'top':
          apply({ type: 'scrollTo', where: 'first', total, height: body });
          break;
        case 'bottom':
          apply({ type: 'scrollTo', where: 'last', total, height: body });
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
