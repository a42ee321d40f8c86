import { describe, expect, it } from 'vitest';
import { editField, showField } from '../../../src/ui/state/text-prompt.js';
import { appReducer, type Action } from '../../../src/ui/state/app-reducer.js';
import { initialState, type AppState } from '../../../src/ui/state/app-state.js';
import { defaultKeymap } from '../../../src/ui/state/keymap.js';
import { OVERLAY_KEYS, overlayKeys } from '../../../src/ui/keys/overlay-keys.js';
import { filterKeys } from '../../../src/ui/keys/filter-keys.js';
import type { KeyEnv } from '../../../src/ui/keys/key-env.js';
import { screenLayout } from '../../../src/ui/components/screen-layout.js';

/** Applies a series of keys to a field, as the router hands them over. */
function type(text: string, cursor: number | undefined, keys: [string, string][]) {
  let field = { text, cursor };
  for (const [key, raw] of keys) {
    const r = editField(field.text, field.cursor, key, raw);
    if (r.kind === 'edit') field = { text: r.text, cursor: r.cursor };
  }
  return field;
}

describe('editField', () => {
  it('moves the cursor and inserts in the middle', () => {
    expect(type('busybox:136', undefined, [['left', '\x1b[D'], ['left', '\x1b[D'], ['.', '.']])).toEqual({ text: 'busybox:1.36', cursor: 10 });
    expect(type('box', undefined, [['home', '\x1b[H'], ['busy', 'busy']])).toEqual({ text: 'busybox', cursor: 4 }); // a paste: one run
    expect(type('ab', 0, [['end', '\x1b[F'], ['c', 'c']])).toEqual({ text: 'abc', cursor: 3 });
    expect(type('ab', 0, [['ctrl+e', '\x05'], ['ctrl+a', '\x01'], ['x', 'x']])).toEqual({ text: 'xab', cursor: 1 });
  });

  it('stops at both ends', () => {
    expect(type('ab', undefined, [['left', ''], ['left', ''], ['left', ''], ['x', 'x']])).toEqual({ text: 'xab', cursor: 1 });
    expect(type('ab', 0, [['right', ''], ['right', ''], ['right', ''], ['x', 'x']])).toEqual({ text: 'abx', cursor: 3 });
  });

  it('deletes around the cursor', () => {
    expect(type('abcd', 2, [['backspace', '\x7f']])).toEqual({ text: 'acd', cursor: 1 });
    expect(type('abcd', 2, [['delete', '\x1b[3~']])).toEqual({ text: 'abd', cursor: 2 });
    expect(type('abcd', 2, [['ctrl+u', '\x15']])).toEqual({ text: 'cd', cursor: 0 });
    expect(type('abcd', 2, [['ctrl+k', '\x0b']])).toEqual({ text: 'ab', cursor: 2 });
    expect(type('name=web status=exited', 16, [['ctrl+w', '\x17']])).toEqual({ text: 'name=web exited', cursor: 9 });
    expect(type('ab', 0, [['backspace', '\x7f']])).toEqual({ text: 'ab', cursor: 0 });
  });

  it('counts code points, not UTF-16 units', () => {
    expect(type('a😀b', undefined, [['left', ''], ['backspace', '\x7f']])).toEqual({ text: 'ab', cursor: 1 });
    expect(showField('a😀b', 2)).toBe('a😀▏b');
  });

  it('submits the whole text wherever the cursor is; control bytes are not text', () => {
    expect(editField('abc', 1, 'enter', '\r')).toEqual({ kind: 'submit', text: 'abc' });
    expect(editField('abc', 1, 'escape', '\x1b')).toEqual({ kind: 'cancel' });
    expect(editField('abc', 1, 'up', '\x1b[A')).toEqual({ kind: 'ignore' });
    expect(editField('abc', 1, 'ctrl+x', '\x18')).toEqual({ kind: 'ignore' });
  });
});

/** A key environment over the pure reducer: what the router gives a handler, without React. */
function env(start: AppState, quit = () => {}): KeyEnv & { actions: Action[] } {
  let s = start;
  const actions: Action[] = [];
  return {
    get state() {
      return s;
    },
    apply(a) {
      actions.push(a);
      s = appReducer(s, a);
    },
    actions,
    keymap: defaultKeymap(),
    ctx: { backend: undefined as never, dispatch: () => {}, reload: () => {} },
    layout: screenLayout({ columns: 100, rows: 30 }, false),
    shells: undefined as never,
    quit,
    reload: () => {},
  };
}

describe('overlay key handlers, without rendering', () => {
  it('every overlay kind has its own entry', () => {
    expect(Object.keys(OVERLAY_KEYS).sort()).toEqual(['confirm', 'help', 'inspect', 'logs', 'palette', 'prompt', 'runForm', 'stats', 'tagPicker']);
  });

  it('the prompt edits at its cursor and Esc closes it', () => {
    const e = env(appReducer(initialState(0), { type: 'openOverlay', overlay: { kind: 'prompt', purpose: 'pull', text: 'busybox1' } }));
    for (const [key, raw] of [['left', '\x1b[D'], [':', ':']]) {
      const o = e.state.overlay;
      if (o.kind !== 'none') overlayKeys(o).handle(o, key, raw, e);
    }
    expect(e.state.overlay).toMatchObject({ kind: 'prompt', text: 'busybox:1', cursor: 8 });
    const o = e.state.overlay;
    if (o.kind !== 'none') overlayKeys(o).handle(o, 'escape', '\x1b', e);
    expect(e.state.overlay).toEqual({ kind: 'none' });
  });

  it('the confirm dialog quits on ctrl+c and stops the rest of the input', () => {
    let quits = 0;
    const e = env({ ...initialState(0), overlay: { kind: 'confirm', title: 'Remove?', items: [], request: { pane: 'containers', ids: [] } } }, () => quits++);
    const o = e.state.overlay;
    expect(o.kind !== 'none' && overlayKeys(o).handle(o, 'ctrl+c', '\x03', e)).toBe('stop');
    expect(quits).toBe(1);
  });

  it('the filter keeps its cursor in the state and the list follows the text', () => {
    const e = env(appReducer(initialState(0), { type: 'startFilter' }));
    for (const [key, raw] of [['w', 'w'], ['b', 'b'], ['left', '\x1b[D'], ['e', 'e']] as const) filterKeys(key, raw, e);
    expect(e.state.panes.containers.filter).toBe('web');
    expect(e.state.filterCursor).toBe(2);
    filterKeys('enter', '\r', e);
    expect(e.state).toMatchObject({ editingFilter: false, filterCursor: undefined });
  });
});
