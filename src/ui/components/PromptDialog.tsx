import { Box, Text } from 'ink';
import { showField } from '../state/text-prompt.js';
import { fit } from './columns.js';

export interface PromptDialogProps {
  title: string;
  label: string;
  text: string;
  /** Where the cursor is in `text` (code points; default: at the end). */
  cursor?: number;
  hint: string;
  width: number;
  height: number;
}

/** A one-line question in a box: what to pull, which repository to add. */
export function PromptDialog({ title, label, text, cursor, hint, width, height }: PromptDialogProps) {
  const inner = Math.max(10, Math.min(width - 4, 76));
  return (
    <Box width={width} height={height} justifyContent="center" alignItems="center">
      <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} width={inner + 4}>
        <Text bold wrap="truncate">{fit(title, inner)}</Text>
        <Text color="cyan" wrap="truncate">{fit(`${label}${showField(text, cursor)}`, inner)}</Text>
        <Text dimColor wrap="truncate">{fit(hint, inner)}</Text>
      </Box>
    </Box>
  );
}
