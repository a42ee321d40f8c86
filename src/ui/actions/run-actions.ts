import type { RunSpec } from '../state/run-form.js';
import type { ActionContext } from './engine-actions.js';

/** Creates and starts the form's container; a refusal keeps the form open with the engine's message. */
export async function submitRunForm(ctx: ActionContext, spec: RunSpec): Promise<void> {
  try {
    const { name } = await ctx.backend.runContainer(spec);
    ctx.dispatch({ type: 'closeOverlay' });
    ctx.dispatch({ type: 'setStatus', status: { text: `started ${name} (${spec.image})`, level: 'info' } });
  } catch (err) {
    ctx.dispatch({ type: 'runFormFailed', error: (err as Error).message });
  } finally {
    ctx.reload('containers');
  }
}
