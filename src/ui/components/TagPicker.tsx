import { Box, Text } from 'ink';
import type { Fetch } from '../state/remote-state.js';
import type { TagRow } from '../state/selectors.js';
import { showField } from '../state/text-prompt.js';
import { fit } from './columns.js';

export interface TagPickerProps {
  repository: string;
  fetch: Fetch<string[]> | undefined;
  /** The tags that match the query. */
  rows: readonly TagRow[];
  query: string;
  /** Where the cursor is in `query` (code points; default: at the end). */
  cursor?: number;
  selected: number;
  width: number;
  height: number;
}

/** The remote tags of a repository, filtered as the user types; Enter pulls the highlighted one. */
export function TagPicker({ repository, fetch, rows, query, cursor, selected, width, height }: TagPickerProps) {
  const room = Math.max(1, height - 4);
  const start = Math.max(0, Math.min(selected - room + 1, rows.length - room));
  const shown = rows.slice(start, start + room);
  let message: { text: string; color?: string } | undefined;
  if (!fetch || fetch.status === 'loading') message = { text: 'loading tags…' };
  else if (fetch.status === 'error') message = { text: fetch.error, color: 'red' };
  else if (rows.length === 0) message = { text: fetch.value.length === 0 ? 'the repository has no tags' : 'no tag matches' };
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{fit(`Pull a tag of ${repository}`, width)}</Text>
      <Text color="cyan" wrap="truncate">{fit(`tag: ${showField(query, cursor)}`, width)}</Text>
      {message ? (
        <Text dimColor={!message.color} color={message.color} wrap="truncate">
          {fit(message.text, width)}
        </Text>
      ) : null}
      {shown.map((t, i) => (
        <Text key={t.tag} inverse={start + i === selected} wrap="truncate">
          {fit(`${t.tag}${t.update ? '  ↑ update available' : t.local ? '  ● local' : ''}`, width)}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit('type to filter  up/down choose  enter pull  esc close', width)}</Text>
    </Box>
  );
}
