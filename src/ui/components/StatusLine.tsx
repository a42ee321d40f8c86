import { Text } from 'ink';
import type { StatusMessage } from '../state/app-state.js';
import { fit } from './columns.js';

export interface StatusLineProps {
  status?: StatusMessage;
  hint: string;
  width: number;
}

/** The bottom line: the last message (errors in red), else the main keys. */
export function StatusLine({ status, hint, width }: StatusLineProps) {
  if (status) {
    return (
      <Text color={status.level === 'error' ? 'red' : 'green'} wrap="truncate">
        {fit(status.text, width)}
      </Text>
    );
  }
  return (
    <Text dimColor wrap="truncate">
      {fit(hint, width)}
    </Text>
  );
}
