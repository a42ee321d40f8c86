import { Box, Text } from 'ink';
import { fit } from './columns.js';

export interface ConfirmDialogProps {
  title: string;
  /** What will be removed, one line each. */
  items: readonly string[];
  width: number;
  height: number;
  keysHint?: string;
}

/** A preview of what an action will remove and a yes/no question. */
export function ConfirmDialog({ title, items, width, height, keysHint }: ConfirmDialogProps) {
  const inner = Math.max(10, Math.min(width - 4, 76));
  // Border (2) + title (1) + blank (1) + hint (1) + blank (1).
  const room = Math.max(1, height - 6);
  const shown = items.length > room ? items.slice(0, room - 1) : items;
  const more = items.length - shown.length;
  return (
    <Box width={width} height={height} justifyContent="center" alignItems="center">
      <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1} width={inner + 4}>
        <Text bold color="red" wrap="truncate">{fit(title, inner)}</Text>
        <Text> </Text>
        {shown.map((item, i) => (
          <Text key={i} wrap="truncate">{fit(`  ${item}`, inner)}</Text>
        ))}
        {more > 0 ? <Text dimColor>{fit(`  … and ${more} more`, inner)}</Text> : null}
        <Text> </Text>
        <Text wrap="truncate">{fit(keysHint ?? 'y/enter: remove   n/esc: cancel', inner)}</Text>
      </Box>
    </Box>
  );
}
