import { parsePaletteCommand } from '../state/palette-command.js';
import { editField } from '../state/text-prompt.js';
import { paletteItems } from '../components/PaletteOverlay.js';
import type { OverlayKeys } from './key-env.js';
import { runListCommand, runPaletteCommand } from './list-commands.js';

/** PaletteOverlay: typing narrows the commands (or gives one an argument), up/down choose, Enter runs, Esc closes. */
export const paletteKeys: OverlayKeys<'palette'> = {
  takesText: true,
  handle(o, key, raw, env) {
    if (key === 'ctrl+c') {
      env.quit();
      return 'stop';
    }
    const items = paletteItems(env.keymap, env.state.pane, o.query);
    if (key === 'up' || key === 'ctrl+p') env.apply({ type: 'paletteMove', delta: -1, count: items.length });
    else if (key === 'down' || key === 'ctrl+n') env.apply({ type: 'paletteMove', delta: 1, count: items.length });
    else {
      const r = editField(o.query, o.cursor, key, raw);
      if (r.kind === 'edit') env.apply({ type: 'paletteInput', query: r.text, cursor: r.cursor });
      else if (r.kind === 'cancel') env.apply({ type: 'closeOverlay' });
      else if (r.kind === 'submit') {
        env.apply({ type: 'closeOverlay' });
        const argument = parsePaletteCommand(o.query);
        if (argument) runPaletteCommand(argument, env);
        else {
          const item = items[o.selected];
          if (item) runListCommand(item.command, env);
        }
      }
    }
    return undefined;
  },
};
