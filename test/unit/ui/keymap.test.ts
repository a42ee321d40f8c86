import { describe, expect, it } from 'vitest';
import { buildKeymap, commandsFor, defaultKeymap, matchCommand, normalizeKeyName, parseKey, splitKeys } from '../../../src/ui/state/keymap.js';

describe('parseKey: terminal input to key names', () => {
  it.each([
    ['j', 'j'],
    ['G', 'G'],
    ['/', '/'],
    [' ', 'space'],
    ['\r', 'enter'],
    ['\t', 'tab'],
    ['\x1b[Z', 'shift+tab'],
    ['\x7f', 'backspace'],
    ['\x1b', 'escape'],
    ['\x03', 'ctrl+c'],
    ['\x15', 'ctrl+u'],
    ['\x1d', 'ctrl+]'],
    ['\x1b[A', 'up'],
    ['\x1bOB', 'down'],
    ['\x1b[5~', 'pageup'],
    ['\x1b[6~', 'pagedown'],
    ['\x1b[H', 'home'],
    ['\x1b[4~', 'end'],
    ['\x1b[3~', 'delete'],
    ['\x1bOP', 'f1'],
    ['\x1b[17~', 'f6'],
    ['\x1b[18~', 'f7'],
    ['\x1b[19~', 'f8'],
    ['\x1b[1;5A', 'ctrl+up'],
    ['\x1b[1;2B', 'shift+down'],
    ['\x1bx', 'alt+x'],
    ['é', 'é'],
  ])('%j -> %s', (raw, name) => {
    expect(parseKey(raw)).toBe(name);
  });

  it('a run of text is not a single key', () => {
    expect(parseKey('abc')).toBe('unknown');
    expect(splitKeys('status=exited')).toHaveLength(13);
    expect(splitKeys('\x1b[A')).toEqual(['\x1b[A']);
    expect(splitKeys('ab\r')).toEqual(['a', 'b', '\r']);
  });
});

describe('normalizeKeyName: keys as written in the config file', () => {
  it.each([
    ['D', 'D'],
    ['Ctrl+C', 'ctrl+c'],
    ['C-w', 'ctrl+w'],
    ['ctrl-]', 'ctrl+]'],
    ['Shift+Tab', 'shift+tab'],
    ['shift+g', 'G'],
    ['Return', 'enter'],
    ['esc', 'escape'],
    ['F6', 'f6'],
    ['PgDn', 'pagedown'],
    [' ', 'space'],
    ['alt+x', 'alt+x'],
  ])('%s -> %s', (input, name) => {
    expect(normalizeKeyName(input)).toBe(name);
  });

  it('refuses names it does not know', () => {
    expect(normalizeKeyName('hyper+q')).toBeUndefined();
    expect(normalizeKeyName('banana')).toBeUndefined();
  });
});

describe('keymap: defaults, overrides, matching', () => {
  const keymap = defaultKeymap();

  it('follows the conventions users know', () => {
    expect(matchCommand(keymap, 'list', 'j')).toBe('down');
    expect(matchCommand(keymap, 'list', 'down')).toBe('down');
    expect(matchCommand(keymap, 'list', 'k')).toBe('up');
    expect(matchCommand(keymap, 'list', 'g')).toBe('top');
    expect(matchCommand(keymap, 'list', 'G')).toBe('bottom');
    expect(matchCommand(keymap, 'list', 'tab')).toBe('nextPane');
    expect(matchCommand(keymap, 'list', '2')).toBe('paneImages');
    expect(matchCommand(keymap, 'list', '?')).toBe('help');
    expect(matchCommand(keymap, 'list', '/')).toBe('filter');
    expect(matchCommand(keymap, 'list', ':')).toBe('palette');
    expect(matchCommand(keymap, 'list', 'space')).toBe('mark');
    expect(matchCommand(keymap, 'list', 'a')).toBe('markAll');
    expect(matchCommand(keymap, 'list', 'd')).toBe('delete');
    expect(matchCommand(keymap, 'list', 's')).toBe('startStop');
    expect(matchCommand(keymap, 'list', 'e')).toBe('shell');
    expect(matchCommand(keymap, 'list', 'q')).toBe('quit');
    expect(matchCommand(keymap, 'list', 'ctrl+c')).toBe('quit');
    expect(matchCommand(keymap, 'list', 'escape')).toBe('back');
  });

  it('the same key means what its context says', () => {
    expect(matchCommand(keymap, 'logs', 'q')).toBe('close');
    expect(matchCommand(keymap, 'logs', '/')).toBe('search');
    expect(matchCommand(keymap, 'logs', 'n')).toBe('searchNext');
    expect(matchCommand(keymap, 'logs', 'N')).toBe('searchPrev');
    expect(matchCommand(keymap, 'logs', 't')).toBe('logsTimestamps');
    expect(matchCommand(keymap, 'list', 't')).toBe('pickTag'); // in the list, t picks a remote tag
    expect(matchCommand(keymap, 'confirm', 'y')).toBe('confirm');
    expect(matchCommand(keymap, 'confirm', 'escape')).toBe('cancel');
    expect(matchCommand(keymap, 'confirm', 'd')).toBeUndefined();
    expect(matchCommand(keymap, 'viewer', 'escape')).toBe('close');
    expect(matchCommand(keymap, 'viewer', 'ctrl+c')).toBe('quit');
  });

  it('a shell pane keeps every key but the ones that leave or close it', () => {
    expect(matchCommand(keymap, 'shell', 'f6')).toBe('toggleShellFocus');
    expect(matchCommand(keymap, 'shell', 'ctrl+]')).toBe('toggleShellFocus');
    expect(matchCommand(keymap, 'shell', 'f7')).toBe('nextShell');
    expect(matchCommand(keymap, 'shell', 'f8')).toBe('closeShell');
    for (const k of ['q', 'ctrl+c', 'ctrl+w', 'escape', 'j', 'd', 'tab']) expect(matchCommand(keymap, 'shell', k)).toBeUndefined();
  });

  it('the config replaces the keys of the commands it names', () => {
    const { keymap: custom, warnings } = buildKeymap({ delete: ['D', 'Delete'], quit: 'Q', toggleShellFocus: ['C-w'] });
    expect(warnings).toEqual([]);
    expect(matchCommand(custom, 'list', 'd')).toBeUndefined();
    expect(matchCommand(custom, 'list', 'D')).toBe('delete');
    expect(matchCommand(custom, 'list', 'delete')).toBe('delete');
    expect(matchCommand(custom, 'list', 'Q')).toBe('quit');
    expect(matchCommand(custom, 'list', 'q')).toBeUndefined();
    expect(matchCommand(custom, 'shell', 'ctrl+w')).toBe('toggleShellFocus');
    expect(matchCommand(custom, 'list', 'j')).toBe('down'); // untouched commands keep their keys
  });

  it('reports what it cannot use instead of failing', () => {
    const { keymap: custom, warnings } = buildKeymap({ explode: ['x'], delete: [42], logs: ['L', 'banana'] });
    expect(warnings).toEqual(['keymap: unknown command "explode"', 'keymap: "delete" must be a list of keys', 'keymap: "logs": cannot read key "banana"']);
    expect(custom.delete).toEqual(['d']);
    expect(custom.logs).toEqual(['L']);
  });

  it('lists the commands of a context with their help', () => {
    const list = commandsFor(keymap, 'list');
    expect(list.find((c) => c.command === 'delete')).toEqual({ command: 'delete', keys: ['d'], help: 'delete marked (or selected)' });
    expect(list.some((c) => c.command === 'logsWrap')).toBe(false);
  });
});
