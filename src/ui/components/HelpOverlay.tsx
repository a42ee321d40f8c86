import type { PaneId } from '../state/app-state.js';
import { PANE_TITLES } from '../state/app-state.js';
import { commandsFor, keyLabel, type Command, type KeyContext, type Keymap } from '../state/keymap.js';
import { TextViewer } from './TextViewer.js';

/** Commands that only make sense in some panes. */
const ONLY_IN: Partial<Record<Command, readonly PaneId[]>> = {
  startStop: ['containers'],
  restart: ['containers'],
  pause: ['containers'],
  kill: ['containers'],
  logs: ['containers'],
  shell: ['containers'],
  attach: ['containers'],
  inspect: ['containers', 'images'],
  delete: ['containers', 'images'],
  mark: ['containers', 'images'],
  markAll: ['containers', 'images'],
  stats: ['containers'],
  pickTag: ['repositories'],
  addRepository: ['repositories'],
  pull: ['images', 'repositories'],
  runImage: ['images'],
  tagImage: ['images'],
  imageHistory: ['images'],
};

export function commandApplies(command: Command, pane: PaneId): boolean {
  return ONLY_IN[command]?.includes(pane) ?? true;
}

/** The help text: every key of the focused pane, then the keys of shells, logs and dialogs. */
export function helpLines(keymap: Keymap, pane: PaneId): string[] {
  const section = (context: KeyContext, filter: (c: Command) => boolean = () => true) =>
    commandsFor(keymap, context)
      .filter((c) => filter(c.command))
      .map((c) => `  ${c.keys.map(keyLabel).join(' ').padEnd(22)} ${c.help}`);
  return [
    `${PANE_TITLES[pane]} pane`,
    ...section('list', (c) => commandApplies(c, pane)),
    '',
    'Shell pane (every other key goes to the shell)',
    ...section('shell'),
    '',
    'Logs viewer',
    ...section('logs'),
    '',
    'Tag picker (typing filters the tags)',
    ...section('picker'),
    '',
    'Run form (typing edits the field)',
    ...section('form'),
    '',
    'Text fields: left/right home/end (ctrl+a/e) move; ctrl+u/ctrl+k delete before/after, ctrl+w a word',
    'Filter: words match name/image/ID; status=exited, name=^web, ancestor=busybox, label=k=v',
    'Keys can be remapped in the config file: {"keymap": {"delete": ["D"]}}',
  ];
}

export interface HelpOverlayProps {
  keymap: Keymap;
  pane: PaneId;
  offset: number;
  width: number;
  height: number;
}

export function HelpOverlay({ keymap, pane, offset, width, height }: HelpOverlayProps) {
  return <TextViewer title="Help" lines={helpLines(keymap, pane)} offset={offset} width={width} height={height} />;
}
