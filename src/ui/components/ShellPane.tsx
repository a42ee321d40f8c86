import { useCallback, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import type { ShellPane as ShellPaneState } from '../state/app-state.js';
import type { ShellSessions } from '../terminal/shell-sessions.js';
import { withCursor, type Span } from '../terminal/terminal-screen.js';
import { fit } from './columns.js';

/** The PTY size for a shell pane of this outer size: inside the border, below the tab line. */
export function shellInnerSize(width: number, height: number): { cols: number; rows: number } {
  return { cols: Math.max(10, width - 2), rows: Math.max(3, height - 3) };
}

export interface ShellPaneProps {
  sessions: ShellSessions;
  shells: readonly ShellPaneState[];
  active: number;
  focused: boolean;
  width: number;
  height: number;
  keysHint: string;
}

function Line({ spans }: { spans: readonly Span[] }) {
  if (spans.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate">
      {spans.map((s, i) => (
        <Text key={i} color={s.color} backgroundColor={s.backgroundColor} bold={s.bold} dimColor={s.dimColor} italic={s.italic} underline={s.underline} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/** The active shell's screen in a bordered pane, with a tab per open shell. */
export function ShellPane({ sessions, shells, active, focused, width, height, keysHint }: ShellPaneProps) {
  const shell = shells[active];
  const id = shell?.id ?? -1;
  const subscribe = useCallback((cb: () => void) => sessions.subscribe(id, cb), [sessions, id]);
  const getSnapshot = useCallback(() => sessions.snapshot(id), [sessions, id]);
  const snap = useSyncExternalStore(subscribe, getSnapshot);
  const inner = shellInnerSize(width, height);
  const tabs = shells.map((s, i) => (i === active ? `[${i + 1} ${s.title}]` : ` ${i + 1} ${s.title} `)).join(' ');
  const lines = snap?.lines.slice(0, inner.rows) ?? [];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={focused ? 'cyan' : 'gray'} width={width} height={height}>
      <Text wrap="truncate" bold={focused} color={focused ? 'cyan' : undefined}>
        {fit(`${tabs}  ${keysHint}`, inner.cols)}
      </Text>
      {lines.map((spans, y) => (
        <Line key={y} spans={focused && snap?.cursor.visible && snap.cursor.y === y ? withCursor(spans, snap.cursor.x) : spans} />
      ))}
    </Box>
  );
}
