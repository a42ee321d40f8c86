import { startPull } from '../actions/pull-actions.js';
import { tagImage } from '../actions/engine-actions.js';
import { repositoryFromInput } from '../state/remote-state.js';
import { editField } from '../state/text-prompt.js';
import { info, problem, type OverlayKeys } from './key-env.js';

const HINTS = {
  pull: 'type an image reference, e.g. busybox:1.36',
  tag: 'type the new name, e.g. myapp:v2',
  addRepository: 'type a repository, e.g. 127.0.0.1:5000/app',
} as const;

/** PromptDialog: the keys edit its one line; Enter pulls, tags or adds the repository typed, Esc cancels. */
export const promptKeys: OverlayKeys<'prompt'> = {
  takesText: true,
  handle(o, key, raw, env) {
    if (key === 'ctrl+c') {
      env.quit();
      return 'stop';
    }
    const r = editField(o.text, o.cursor, key, raw);
    if (r.kind === 'edit') env.apply({ type: 'promptInput', text: r.text, cursor: r.cursor });
    else if (r.kind === 'cancel') env.apply({ type: 'closeOverlay' });
    else if (r.kind === 'submit') {
      const text = r.text.trim();
      if (text === '') {
        env.apply(info(HINTS[o.purpose]));
        return undefined;
      }
      env.apply({ type: 'closeOverlay' });
      if (o.purpose === 'pull') void startPull(env.ctx, text);
      else if (o.purpose === 'tag') void tagImage(env.ctx, o.source, text);
      else {
        const added = repositoryFromInput(text);
        if ('error' in added) env.apply(problem(`add ${text}: ${added.error}`));
        else {
          env.apply({ type: 'repositoryAdded', repository: added.repository });
          env.apply(info(`${added.repository} added to the list`));
        }
      }
    }
    return undefined;
  },
};
