import { editField } from '../state/text-prompt.js';
import type { KeyEnv, KeyOutcome } from './key-env.js';

/** FilterBar while typing after `/`: the keys edit the pane's filter; Enter keeps it, Esc clears it. */
export function filterKeys(key: string, raw: string, env: KeyEnv): KeyOutcome {
  if (key === 'ctrl+c') {
    env.quit();
    return 'stop';
  }
  const s = env.state;
  const r = editField(s.panes[s.pane].filter, s.filterCursor, key, raw);
  if (r.kind === 'edit') env.apply({ type: 'setFilter', text: r.text, cursor: r.cursor });
  else if (r.kind === 'submit') env.apply({ type: 'endFilter', keep: true });
  else if (r.kind === 'cancel') env.apply({ type: 'endFilter', keep: false });
  return undefined;
}
