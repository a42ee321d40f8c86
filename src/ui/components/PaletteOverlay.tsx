import { Box, Text } from 'ink';
import type { PaneId } from '../state/app-state.js';
import { commandsFor, type Command, type Keymap } from '../state/keymap.js';
import { commandApplies } from './HelpOverlay.js';
import { showField } from '../state/text-prompt.js';
import { fit } from './columns.js';
import { PALETTE_ARGUMENT_COMMANDS, type PaletteCommand } from '../state/palette-command.js';

export interface PaletteItem {
  command: Command;
  help: string;
  keys: readonly string[];
}

/** The list commands that apply to the pane, narrowed by what was typed (in the name or the help). */
export function paletteItems(keymap: Keymap, pane: PaneId, query: string): PaletteItem[] {
  const q = query.trim().toLowerCase();
  return commandsFor(keymap, 'list')
    .filter((c) => c.command !== 'palette' && commandApplies(c.command, pane))
    .filter((c) => q === '' || c.command.toLowerCase().includes(q) || c.help.toLowerCase().includes(q));
}

export interface PaletteOverlayProps {
  items: readonly PaletteItem[];
  query: string;
  /** Where the cursor is in `query` (code points; default: at the end). */
  cursor?: number;
  selected: number;
  width: number;
  height: number;
  /** A command with an argument typed (`pull busybox:1`): what Enter will do. */
  argument?: PaletteCommand;
}

function describe(c: PaletteCommand): string {
  switch (c.kind) {
    case 'pull':
      return `pull ${c.reference}`;
    case 'run':
      return `run form for ${c.image}${c.command ? ` with command ${c.command}` : ''}`;
    case 'filter':
      return c.text ? `filter this pane: ${c.text}` : 'clear the filter of this pane';
    case 'exec':
      return `run ${c.argv.join(' ')} in the selected container, in a split pane`;
    case 'error':
      return c.message;
  }
}

/** `:` — every command by name, for those who do not remember its key; `pull`, `run`, `exec`, `filter` take an argument. */
export function PaletteOverlay({ items, query, cursor, selected, width, height, argument }: PaletteOverlayProps) {
  if (argument) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text color="cyan" wrap="truncate">{fit(`:${showField(query, cursor)}`, width)}</Text>
        <Text inverse={argument.kind !== 'error'} color={argument.kind === 'error' ? 'red' : undefined} wrap="truncate">
          {fit(describe(argument), width)}
        </Text>
        <Box flexGrow={1} />
        <Text dimColor wrap="truncate">{fit(argument.kind === 'error' ? 'esc close' : 'enter run  esc close', width)}</Text>
      </Box>
    );
  }
  const room = Math.max(1, height - 3);
  const start = Math.max(0, Math.min(selected - room + 1, items.length - room));
  const shown = items.slice(Math.max(0, start), Math.max(0, start) + room);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color="cyan" wrap="truncate">{fit(`:${showField(query, cursor)}`, width)}</Text>
      {shown.map((item) => {
        const index = items.indexOf(item);
        return (
          <Text key={item.command} inverse={index === selected} wrap="truncate">
            {fit(`${item.help.padEnd(36)} ${item.keys.join(' ')}`, width)}
          </Text>
        );
      })}
      {items.length === 0 ? <Text dimColor>{fit('no command matches', width)}</Text> : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit(`with an argument: ${PALETTE_ARGUMENT_COMMANDS.map((c) => `:${c}`).join('  ')}`, width)}</Text>
      <Text dimColor wrap="truncate">{fit('up/down choose  enter run  esc close', width)}</Text>
    </Box>
  );
}
