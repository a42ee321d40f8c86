import { Box, Text } from 'ink';
import type { Fetch } from '../state/remote-state.js';
import type { TagRow } from '../state/selectors.js';
import { fit } from './columns.js';

export interface RemoteTagsProps {
  /** A registry row is selected: what is known about it. */
  registryNote?: string;
  tags?: { repository: string; fetch: Fetch<string[]> | undefined; rows: readonly TagRow[] };
  width: number;
  height: number;
}

/** A tag with its marks: `●` present locally, `↑` the registry has a different manifest (update). */
export function tagLabel(t: TagRow): string {
  return `${t.tag}${t.update ? ' ↑' : t.local ? ' ●' : ''}`;
}

/** Tags side by side, wrapped to the width; what does not fit is counted. */
export function tagLines(rows: readonly TagRow[], width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  let shown = 0;
  for (const t of rows) {
    const label = tagLabel(t);
    const next = line ? `${line}   ${label}` : label;
    if ([...next].length <= width) {
      line = next;
      shown++;
      continue;
    }
    if (lines.length === maxLines - 1) break;
    lines.push(line);
    line = label;
    shown++;
  }
  if (line) lines.push(line);
  if (shown < rows.length && lines.length > 0) lines[lines.length - 1] = `${fit(lines[lines.length - 1]!, Math.max(1, width - 12)).trimEnd()} … ${rows.length - shown} more`;
  return lines;
}

/** Below the repositories: the selected repository's remote tags, or the selected registry's state. */
export function RemoteTags({ registryNote, tags, width, height }: RemoteTagsProps) {
  const body = Math.max(1, height - 2);
  let title = 'Remote tags';
  let lines: { text: string; color?: string; dim?: boolean }[] = [];
  if (registryNote !== undefined) {
    title = 'Registry';
    lines = [{ text: registryNote }, { text: '+ adds a repository by name · P pulls a reference', dim: true }];
  } else if (!tags) {
    lines = [{ text: 'select a repository', dim: true }];
  } else {
    title = `Remote tags of ${tags.repository}`;
    const f = tags.fetch;
    if (!f || f.status === 'loading') lines = [{ text: 'loading…', dim: true }];
    else if (f.status === 'error') lines = [{ text: f.error, color: 'red' }];
    else if (f.value.length === 0) lines = [{ text: 'no tags', dim: true }];
    else lines = tagLines(tags.rows, width, body).map((text) => ({ text }));
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{fit(`─ ${title} `, width).replace(/ +$/, (m) => ' ' + '─'.repeat(Math.max(0, m.length - 1)))}</Text>
      {lines.slice(0, body).map((l, i) => (
        <Text key={i} wrap="truncate" color={l.color} dimColor={l.dim}>
          {fit(l.text, width)}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit(tags && registryNote === undefined ? '● local  ↑ update available  enter/t pick a tag to pull' : '', width)}</Text>
    </Box>
  );
}
