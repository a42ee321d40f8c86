import { startPull } from '../actions/pull-actions.js';
import { matchCommand } from '../state/keymap.js';
import { tagRows } from '../state/selectors.js';
import { editField } from '../state/text-prompt.js';
import type { OverlayKeys } from './key-env.js';

/** TagPicker: arrows (or the remapped picker keys) choose, Enter pulls, Esc closes; the rest filters. */
export const tagPickerKeys: OverlayKeys<'tagPicker'> = {
  takesText: true,
  handle(o, key, raw, env) {
    if (key === 'ctrl+c') {
      env.quit();
      return 'stop';
    }
    const rows = tagRows(env.state, o.repository, o.query);
    const command = matchCommand(env.keymap, 'picker', key);
    if (command === 'pickerUp') env.apply({ type: 'pickerMove', delta: -1, count: rows.length });
    else if (command === 'pickerDown') env.apply({ type: 'pickerMove', delta: 1, count: rows.length });
    else if (command === 'pickerClose') env.apply({ type: 'closeOverlay' });
    else if (command === 'pickerChoose') {
      const row = rows[o.selected];
      if (!row) return undefined;
      env.apply({ type: 'closeOverlay' });
      void startPull(env.ctx, `${o.repository}:${row.tag}`);
    } else {
      const r = editField(o.query, o.cursor, key, raw);
      if (r.kind === 'edit') env.apply({ type: 'pickerInput', query: r.text, cursor: r.cursor });
    }
    return undefined;
  },
};
