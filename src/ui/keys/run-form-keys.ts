import { submitRunForm } from '../actions/run-actions.js';
import { matchCommand } from '../state/keymap.js';
import { runFormKey } from '../state/run-form.js';
import type { OverlayKeys } from './key-env.js';

/** RunFormDialog: Tab/arrows move between fields, Enter creates and starts, Esc cancels; the rest edits the field. */
export const runFormKeys: OverlayKeys<'runForm'> = {
  takesText: true,
  handle(o, key, raw, env) {
    if (key === 'ctrl+c') {
      env.quit();
      return 'stop';
    }
    const command = matchCommand(env.keymap, 'form', key);
    const formCommand = command === 'nextField' || command === 'prevField' || command === 'submitForm' || command === 'cancelForm' ? command : undefined;
    const r = runFormKey(o.form, formCommand, key, raw);
    if (r.effect === 'cancel') env.apply({ type: 'closeOverlay' });
    else {
      env.apply({ type: 'runFormUpdate', form: r.form });
      if (r.effect === 'submit') void submitRunForm(env.ctx, r.spec);
    }
    return undefined;
  },
};
