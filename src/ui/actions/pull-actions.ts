import type { PullEvent } from '../../core/index.js';
import type { Action } from '../state/app-reducer.js';
import type { ActionContext } from './engine-actions.js';

/** Progress reaches the state at most this often (the engine reports each layer every 100 ms). */
export const PULL_FLUSH_MS = 100;
/** A finished pull stays in the strip this long, so its outcome can be read. */
export const PULL_LINGER_MS = 5_000;

let nextPullId = 1;

const status = (text: string, level: 'info' | 'error'): Action => ({ type: 'setStatus', status: { text, level } });

/**
 * Pulls in the background: the strip shows its layers' bytes while the user works on; the
 * outcome goes to the status line and the Images pane reloads. Timers run only while a pull
 * reports progress, and once to clear the finished pull from the strip.
 */
export async function startPull(ctx: ActionContext, reference: string): Promise<void> {
  const id = nextPullId++;
  ctx.dispatch({ type: 'pullStarted', id, reference });
  ctx.dispatch(status(`pulling ${reference}…`, 'info'));
  let queue: PullEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const events = queue;
    queue = [];
    ctx.dispatch({ type: 'pullProgress', id, events });
  };
  const onEvent = (e: PullEvent) => {
    queue.push(e);
    timer ??= setTimeout(flush, PULL_FLUSH_MS);
  };
  try {
    const result = await ctx.backend.pull(reference, onEvent);
    flush();
    ctx.dispatch({ type: 'pullFinished', id });
    ctx.dispatch(status(result.downloaded ? `pulled ${reference}` : `${reference}: image is up to date`, 'info'));
    ctx.reload('images');
  } catch (err) {
    flush();
    const message = (err as Error).message;
    ctx.dispatch({ type: 'pullFinished', id, error: message });
    ctx.dispatch(status(`pull ${reference}: ${message}`, 'error'));
  }
  setTimeout(() => ctx.dispatch({ type: 'pullDismissed', id }), PULL_LINGER_MS).unref?.();
}
