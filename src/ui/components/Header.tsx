import { Box, Text } from 'ink';
import { PANES, PANE_TITLES, type PaneId } from '../state/app-state.js';

export interface HeaderProps {
  pane: PaneId;
  counts: Record<PaneId, number>;
  marked: number;
  width: number;
}

/** The top line: the panes as tabs with their row counts (digits jump to them). */
export function Header({ pane, counts, marked, width }: HeaderProps) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text bold color="cyan">{' tsdock '}</Text>
      {PANES.map((p, i) => (
        <Text key={p} inverse={p === pane} bold={p === pane}>
          {` ${i + 1} ${PANE_TITLES[p]} (${counts[p]}) `}
        </Text>
      ))}
      <Box flexGrow={1} />
      {marked > 0 ? <Text color="yellow">{` ${marked} marked `}</Text> : null}
      <Text dimColor>{' ? help '}</Text>
    </Box>
  );
}
