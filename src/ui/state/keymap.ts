/**
 * Keybindings as data: every command the TUI knows, the contexts it applies in, and its
 * default keys (lazydocker/vim conventions). The config file's `keymap` replaces the keys of a
 * command (`{"delete": ["D"]}`); one matcher turns a key press into a command.
 *
 * Keys are named as in the config file: a printable character as itself (`j`, `G`, `/`, `?`),
 * `space`, `enter`, `escape`, `tab`, `shift+tab`, `backspace`, `delete`, `up`, `down`, `left`,
 * `right`, `pageup`, `pagedown`, `home`, `end`, `f1`…`f12`, `ctrl+<key>` (`ctrl+c`, `ctrl+]`),
 * `alt+<key>`.
 */

/**
 * Where a key press lands: the focused list, a scrollable overlay (help, inspect, stats), the logs
 * viewer, a confirmation, a shell pane, the tag picker or the run form. Text prompts (filter,
 * search, palette, the picker's filter, form fields) take the other keys as text.
 */
export type KeyContext = 'list' | 'viewer' | 'logs' | 'confirm' | 'shell' | 'picker' | 'form';

export const COMMANDS = {
  // Context-specific commands first: the matcher takes the first command that fits, so in the
  // logs viewer `q` closes the viewer instead of quitting the app.
  confirm: { contexts: ['confirm'], keys: ['y', 'enter'], help: 'confirm' },
  cancel: { contexts: ['confirm'], keys: ['n', 'escape', 'q'], help: 'cancel' },
  close: { contexts: ['viewer', 'logs'], keys: ['escape', 'q'], help: 'close' },
  logsTimestamps: { contexts: ['logs'], keys: ['t'], help: 'toggle timestamps' },
  logsWrap: { contexts: ['logs'], keys: ['w'], help: 'toggle line wrap' },
  logsFollow: { contexts: ['logs'], keys: ['f'], help: 'follow new lines' },
  search: { contexts: ['logs'], keys: ['/'], help: 'search' },
  searchNext: { contexts: ['logs'], keys: ['n'], help: 'next match' },
  searchPrev: { contexts: ['logs'], keys: ['N'], help: 'previous match' },
  pickerUp: { contexts: ['picker'], keys: ['up', 'ctrl+p'], help: 'previous tag' },
  pickerDown: { contexts: ['picker'], keys: ['down', 'ctrl+n'], help: 'next tag' },
  pickerChoose: { contexts: ['picker'], keys: ['enter'], help: 'pull the chosen tag' },
  pickerClose: { contexts: ['picker'], keys: ['escape'], help: 'close (typing filters the tags)' },
  nextField: { contexts: ['form'], keys: ['tab', 'down'], help: 'next field' },
  prevField: { contexts: ['form'], keys: ['shift+tab', 'up'], help: 'previous field' },
  submitForm: { contexts: ['form'], keys: ['enter'], help: 'create and start the container' },
  cancelForm: { contexts: ['form'], keys: ['escape'], help: 'cancel' },

  up: { contexts: ['list', 'viewer', 'logs'], keys: ['k', 'up'], help: 'move up' },
  down: { contexts: ['list', 'viewer', 'logs'], keys: ['j', 'down'], help: 'move down' },
  pageUp: { contexts: ['list', 'viewer', 'logs'], keys: ['pageup', 'ctrl+u', 'ctrl+b'], help: 'page up' },
  pageDown: { contexts: ['list', 'viewer', 'logs'], keys: ['pagedown', 'ctrl+d', 'ctrl+f'], help: 'page down' },
  top: { contexts: ['list', 'viewer', 'logs'], keys: ['g', 'home'], help: 'first row' },
  bottom: { contexts: ['list', 'viewer', 'logs'], keys: ['G', 'end'], help: 'last row' },

  nextPane: { contexts: ['list'], keys: ['tab', 'right'], help: 'next pane' },
  prevPane: { contexts: ['list'], keys: ['shift+tab', 'left'], help: 'previous pane' },
  paneContainers: { contexts: ['list'], keys: ['1'], help: 'containers pane' },
  paneImages: { contexts: ['list'], keys: ['2'], help: 'images pane' },
  paneRepositories: { contexts: ['list'], keys: ['3'], help: 'repositories pane' },
  back: { contexts: ['list'], keys: ['escape'], help: 'back: clear filter, then marks' },
  help: { contexts: ['list'], keys: ['?'], help: 'this help' },
  filter: { contexts: ['list'], keys: ['/'], help: 'filter (text, status=…, name=…)' },
  palette: { contexts: ['list'], keys: [':'], help: 'command palette' },
  mark: { contexts: ['list'], keys: ['space'], help: 'mark / unmark' },
  markAll: { contexts: ['list'], keys: ['a'], help: 'mark all visible (again: unmark)' },
  delete: { contexts: ['list'], keys: ['d'], help: 'delete marked (or selected)' },
  startStop: { contexts: ['list'], keys: ['s'], help: 'start / stop' },
  restart: { contexts: ['list'], keys: ['r'], help: 'restart' },
  pause: { contexts: ['list'], keys: ['p'], help: 'pause / unpause' },
  kill: { contexts: ['list'], keys: ['x'], help: 'kill' },
  logs: { contexts: ['list'], keys: ['l'], help: 'logs' },
  shell: { contexts: ['list'], keys: ['e'], help: 'shell in a split pane' },
  attach: { contexts: ['list'], keys: ['A'], help: "attach to an -it container's terminal in a split pane (F8 detaches)" },
  inspect: { contexts: ['list'], keys: ['i'], help: 'inspect' },
  stats: { contexts: ['list'], keys: ['S'], help: 'CPU and memory of running containers' },
  pickTag: { contexts: ['list'], keys: ['enter', 't'], help: 'pick a remote tag to pull' },
  addRepository: { contexts: ['list'], keys: ['+'], help: 'add a repository by name' },
  pull: { contexts: ['list'], keys: ['P'], help: 'pull an image by reference' },
  runImage: { contexts: ['list'], keys: ['R'], help: 'run a container from the image (form)' },
  tagImage: { contexts: ['list'], keys: ['T'], help: 'tag the image (a new name for it)' },
  imageHistory: { contexts: ['list'], keys: ['H'], help: "history: the image's layers and the steps that made them" },
  refresh: { contexts: ['list'], keys: ['ctrl+r', 'ctrl+l'], help: 'reload the lists, redraw' },

  toggleShellFocus: { contexts: ['list', 'shell'], keys: ['f6', 'ctrl+]'], help: 'focus: list <-> shell' },
  nextShell: { contexts: ['list', 'shell'], keys: ['f7'], help: 'next shell' },
  closeShell: { contexts: ['list', 'shell'], keys: ['f8'], help: 'close the shell' },

  // In the tag picker and the run form `q` is text; ctrl-c still quits there.
  quit: { contexts: ['list', 'viewer', 'logs', 'confirm'], keys: ['q', 'ctrl+c'], help: 'quit' },
} as const satisfies Record<string, { contexts: readonly KeyContext[]; keys: readonly string[]; help: string }>;

export type Command = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as Command[];

/** Command -> keys, after the user's overrides. */
export type Keymap = Record<Command, readonly string[]>;

export function defaultKeymap(): Keymap {
  const map = {} as Record<Command, readonly string[]>;
  for (const name of COMMAND_NAMES) map[name] = COMMANDS[name].keys;
  return map;
}

export interface KeymapResult {
  keymap: Keymap;
  /** Problems with the overrides, for the status line (unknown commands, unreadable keys). */
  warnings: string[];
}

/** Defaults with the config's `keymap` applied: each listed command gets exactly the keys given. */
export function buildKeymap(overrides: Record<string, unknown> = {}): KeymapResult {
  const keymap = defaultKeymap();
  const warnings: string[] = [];
  for (const [name, keys] of Object.entries(overrides)) {
    if (!(COMMAND_NAMES as string[]).includes(name)) {
      warnings.push(`keymap: unknown command "${name}"`);
      continue;
    }
    const list = typeof keys === 'string' ? [keys] : keys;
    if (!Array.isArray(list) || !list.every((k) => typeof k === 'string')) {
      warnings.push(`keymap: "${name}" must be a list of keys`);
      continue;
    }
    const normalized: string[] = [];
    for (const k of list as string[]) {
      const n = normalizeKeyName(k);
      if (n === undefined) warnings.push(`keymap: "${name}": cannot read key "${k}"`);
      else normalized.push(n);
    }
    keymap[name as Command] = normalized;
  }
  return { keymap, warnings };
}

const NAMED = new Set([
  'space', 'enter', 'escape', 'tab', 'shift+tab', 'backspace', 'delete', 'insert', 'up', 'down', 'left', 'right',
  'pageup', 'pagedown', 'home', 'end', ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
]);
const ALIASES: Record<string, string> = { return: 'enter', esc: 'escape', pgup: 'pageup', pgdn: 'pagedown', ' ': 'space', del: 'delete' };

/** A key name from a config file in canonical form (`C-c`, `Ctrl+C` -> `ctrl+c`); undefined if unreadable. */
export function normalizeKeyName(name: string): string | undefined {
  if (name.length === 1) return name === ' ' ? 'space' : name;
  const m = /^(ctrl|c|alt|meta|m|shift|s)[-+](.+)$/i.exec(name);
  if (m) {
    const mod = m[1]!.toLowerCase();
    const rest = m[2]!;
    const base = rest.length === 1 ? rest.toLowerCase() : normalizeKeyName(rest);
    if (base === undefined) return undefined;
    if (mod === 'shift' || mod === 's') {
      if (base === 'tab') return 'shift+tab';
      return rest.length === 1 ? rest.toUpperCase() : `shift+${base}`;
    }
    return `${mod === 'ctrl' || mod === 'c' ? 'ctrl' : 'alt'}+${base}`;
  }
  const lower = name.toLowerCase();
  const n = ALIASES[lower] ?? lower;
  return NAMED.has(n) ? n : undefined;
}

// ---- reading keys off the terminal ----

const CSI_TILDE: Record<string, string> = {
  '1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end',
  '11': 'f1', '12': 'f2', '13': 'f3', '14': 'f4', '15': 'f5', '17': 'f6', '18': 'f7', '19': 'f8', '20': 'f9', '21': 'f10', '23': 'f11', '24': 'f12',
};
const CSI_FINAL: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', Z: 'shift+tab' };

/**
 * The name of one key press as Ink's input parser delivers it (one escape sequence, or one
 * character; see splitKeys for runs of text). Unknown sequences come back as `unknown`.
 */
export function parseKey(raw: string): string {
  if (raw === '\r' || raw === '\n') return 'enter';
  if (raw === '\t') return 'tab';
  if (raw === '\x7f' || raw === '\b') return 'backspace';
  if (raw === ' ') return 'space';
  if (raw === '\x1b' || raw === '\x1b\x1b') return 'escape';
  if (raw === '\x00') return 'ctrl+space';
  if (raw.length === 1) {
    const c = raw.charCodeAt(0);
    if (c >= 1 && c <= 26) return `ctrl+${String.fromCharCode(c + 96)}`;
    if (c >= 0x1c && c <= 0x1f) return `ctrl+${'\\]^_'[c - 0x1c]}`;
    return raw;
  }
  const seq = raw.startsWith('\x1b\x1b') ? raw.slice(1) : raw;
  const csi = /^\x1b\[\[?([\d;]*)([~A-Z])$/.exec(seq);
  if (csi) {
    const params = csi[1]!.split(';');
    const base = csi[2] === '~' ? CSI_TILDE[params[0]!] : CSI_FINAL[csi[2]!];
    if (!base) return 'unknown';
    return withModifiers(base, Number(params[1] ?? '1'));
  }
  const ss3 = /^\x1bO([A-Z])$/.exec(seq);
  if (ss3) return CSI_FINAL[ss3[1]!] ?? 'unknown';
  if (seq.startsWith('\x1b') && [...seq].length === 2) {
    const inner = parseKey(seq.slice(1));
    return `alt+${inner}`;
  }
  // A run of text (a paste) is not one key.
  return [...raw].length === 1 ? raw : 'unknown';
}

/** xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4). */
function withModifiers(base: string, mod: number): string {
  if (!Number.isFinite(mod) || mod <= 1) return base;
  const bits = mod - 1;
  let name = base;
  if (bits & 1 && base !== 'shift+tab') name = `shift+${name}`;
  if (bits & 2) name = `alt+${name}`;
  if (bits & 4) name = `ctrl+${name}`;
  return name;
}

/**
 * Ink hands over a run of plain text (fast typing, `tmux send-keys`, a paste) as one input;
 * escape sequences always arrive alone. Commands take one key at a time.
 */
export function splitKeys(raw: string): string[] {
  if (raw.startsWith('\x1b') || raw.length <= 1) return [raw];
  return [...raw];
}

/** The command bound to `key` in `context`, if any: the first in COMMANDS order. */
export function matchCommand(keymap: Keymap, context: KeyContext, key: string): Command | undefined {
  for (const name of COMMAND_NAMES) {
    if (!(COMMANDS[name].contexts as readonly KeyContext[]).includes(context)) continue;
    if (keymap[name].includes(key)) return name;
  }
  return undefined;
}

/** Commands of a context with their keys, for the help overlay and the palette. */
export function commandsFor(keymap: Keymap, context: KeyContext): { command: Command; keys: readonly string[]; help: string }[] {
  return COMMAND_NAMES.filter((n) => (COMMANDS[n].contexts as readonly KeyContext[]).includes(context)).map((n) => ({ command: n, keys: keymap[n], help: COMMANDS[n].help }));
}

/** How a key is shown in help texts. */
export function keyLabel(key: string): string {
  return key === 'space' ? '␣' : key;
}
