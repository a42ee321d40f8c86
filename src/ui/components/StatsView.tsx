import { Box, Text } from 'ink';
import { bytesSize } from '../../core/index.js';
import { sparkline, type StatsHistory } from '../state/stats-history.js';
import { fit, joinCells, layoutColumns, type ColumnSpec } from './columns.js';

const COLUMNS: ColumnSpec[] = [
  { title: 'NAME', min: 10, grow: 1, max: 30, priority: 9 },
  { title: 'CPU %', min: 7, grow: 0, priority: 8 },
  { title: 'CPU', min: 8, grow: 2, max: 40, priority: 5 },
  { title: 'MEM USAGE / LIMIT', min: 19, grow: 0, priority: 7 },
  { title: 'MEM', min: 8, grow: 2, max: 40, priority: 4 },
];
const ALIGNS = ['left', 'right', 'left', 'right', 'left'] as const;

export interface StatsViewProps {
  /** Names of the running containers, in list order. */
  containers: readonly { id: string; name: string }[];
  history: StatsHistory;
  offset: number;
  width: number;
  height: number;
}

/** CPU and memory of the running containers, each with a sparkline of the last minute. */
export function StatsView({ containers, history, offset, width, height }: StatsViewProps) {
  const widths = layoutColumns(COLUMNS, width);
  const body = Math.max(1, height - 3);
  const rows = containers.slice(offset, offset + body);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{fit('Stats (sampled every second while this is open)', width)}</Text>
      <Text bold wrap="truncate">{joinCells(COLUMNS.map((c) => c.title), widths, ALIGNS)}</Text>
      {containers.length === 0 ? <Text dimColor>{fit('no running containers', width)}</Text> : null}
      {rows.map((c) => {
        const h = history[c.id];
        const cells = h
          ? [c.name, `${h.latest.cpuPercent.toFixed(1)}%`, sparkline(h.cpu, widths[2]!, Math.max(100, ...h.cpu)), `${bytesSize(h.latest.memory)} / ${bytesSize(h.latest.memoryLimit)}`, sparkline(h.memory, widths[4]!)]
          : [c.name, '…', '', '', ''];
        return (
          <Text key={c.id} wrap="truncate">
            {joinCells(cells, widths, ALIGNS)}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit('j/k scroll  esc/q close', width)}</Text>
    </Box>
  );
}
