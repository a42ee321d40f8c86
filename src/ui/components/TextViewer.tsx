import { Box, Text } from 'ink';
import { fit } from './columns.js';

export interface TextViewerProps {
  title: string;
  lines: readonly string[];
  offset: number;
  width: number;
  height: number;
  footer?: string;
}

/** A scrollable page of text (help, inspect): a title, the lines that fit, and a position footer. */
export function TextViewer({ title, lines, offset, width, height, footer }: TextViewerProps) {
  const body = Math.max(1, height - 2);
  const start = Math.max(0, Math.min(offset, Math.max(0, lines.length - body)));
  const shown = lines.slice(start, start + body);
  const pos = lines.length > body ? `${start + 1}-${Math.min(lines.length, start + body)} of ${lines.length}` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan" wrap="truncate">{fit(title, width)}</Text>
      {shown.map((l, i) => (
        <Text key={start + i} wrap="truncate">{fit(l, width)}</Text>
      ))}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit([pos, footer ?? 'j/k scroll  q/esc close'].filter(Boolean).join('   '), width)}</Text>
    </Box>
  );
}

/** How many lines a viewer of `height` rows shows at once. */
export function viewerBodyHeight(height: number): number {
  return Math.max(1, height - 2);
}
