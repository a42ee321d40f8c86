import { performDelete } from '../actions/engine-actions.js';
import { matchCommand } from '../state/keymap.js';
import { info, type OverlayKeys } from './key-env.js';

/** ConfirmDialog: y/Enter removes what it lists, n/Esc keeps it. */
export const confirmKeys: OverlayKeys<'confirm'> = {
  takesText: false,
  handle(o, key, _raw, env) {
    const command = matchCommand(env.keymap, 'confirm', key);
    if (command === 'confirm') {
      env.apply({ type: 'closeOverlay' });
      void performDelete(env.ctx, o.request);
    } else if (command === 'cancel') {
      env.apply({ type: 'closeOverlay' });
      env.apply(info('nothing removed'));
    } else if (command === 'quit') {
      env.quit();
      return 'stop';
    }
    return undefined;
  },
};
