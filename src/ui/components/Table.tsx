import { useRef } from 'react';
import { Box, Text } from 'ink';
import { joinCells, layoutColumns, type ColumnSpec } from './columns.js';
import { scrollOffset } from '../state/scroll-window.js';

export interface TableRow {
  key: string;
  cells: string[];
  /** Colour of the row's text when not selected. */
  color?: string;
  dim?: boolean;
}

export interface TableProps {
  columns: readonly ColumnSpec[];
  aligns?: readonly ('left' | 'right')[];
  /** Number of rows in all (only the visible window is asked for). */
  count: number;
  /** Builds the rows from `start` to `end` (exclusive): only those are rendered. */
  rowsIn: (start: number, end: number) => TableRow[];
  selected: number;
  marked: ReadonlySet<string>;
  width: number;
  /** Rows of the table including its header. */
  height: number;
  focused: boolean;
  empty: string;
}

const GUTTER = 2; // mark column: "● " or "  "

/**
 * A list with a header that renders only the rows that fit (virtualized): 10 or 10,000 rows
 * cost the same to draw. Each row is a single <Text>, so a redraw touches few nodes.
 */
export function Table(props: TableProps) {
  const { columns, count, selected, height, width, marked, focused } = props;
  const bodyHeight = Math.max(1, height - 1);
  const offsetRef = useRef(0);
  const offset = scrollOffset(offsetRef.current, selected, bodyHeight, count);
  offsetRef.current = offset;
  const widths = layoutColumns(columns, Math.max(1, width - GUTTER));
  const header = joinCells(columns.map((c) => c.title), widths, props.aligns);
  const rows = count === 0 ? [] : props.rowsIn(offset, Math.min(count, offset + bodyHeight));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{`  ${header}`}</Text>
      {count === 0 ? <Text dimColor>{`  ${props.empty}`}</Text> : null}
      {rows.map((row, i) => {
        const index = offset + i;
        const isSelected = index === selected;
        const isMarked = marked.has(row.key);
        const line = `${isMarked ? '●' : ' '} ${joinCells(row.cells, widths, props.aligns)}`;
        return (
          <Text
            key={row.key}
            wrap="truncate"
            inverse={isSelected && focused}
            underline={isSelected && !focused}
            color={isMarked ? 'yellow' : row.color}
            dimColor={!isSelected && row.dim}
          >
            {line}
          </Text>
        );
      })}
    </Box>
  );
}
