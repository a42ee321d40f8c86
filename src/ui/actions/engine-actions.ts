import type { Dispatch } from 'react';
import { type ContainerRecord, createdSince, humanSize } from '../../core/index.js';
import type { Action } from '../state/app-reducer.js';
import type { DeleteRequest } from '../state/app-state.js';
import type { ContainerVerb, UiBackend } from '../data/ui-backend.js';

export interface ActionContext {
  backend: UiBackend;
  dispatch: Dispatch<Action>;
  /** Reload a list right away (the watcher would too, a little later). */
  reload: (what?: 'containers' | 'images') => void;
}

const info = (text: string): Action => ({ type: 'setStatus', status: { text, level: 'info' } });
const error = (text: string): Action => ({ type: 'setStatus', status: { text, level: 'error' } });

const PROGRESS: Record<ContainerVerb, [string, string]> = {
  start: ['starting', 'started'],
  stop: ['stopping', 'stopped'],
  restart: ['restarting', 'restarted'],
  pause: ['pausing', 'paused'],
  unpause: ['unpausing', 'unpaused'],
  kill: ['killing', 'killed'],
};

/** The verb `s` and `p` mean for a container in its current state. */
export function toggleVerb(command: 'startStop' | 'pause', rec: ContainerRecord): ContainerVerb {
  const live = rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';
  if (command === 'startStop') return live ? 'stop' : 'start';
  return rec.state.status === 'paused' ? 'unpause' : 'pause';
}

/** Runs a lifecycle verb without blocking the UI; the outcome goes to the status line. */
export async function runContainerVerb(ctx: ActionContext, verb: ContainerVerb, rec: ContainerRecord): Promise<void> {
  const [doing, done] = PROGRESS[verb];
  ctx.dispatch(info(`${doing} ${rec.name}…`));
  try {
    await ctx.backend.containerAction(verb, rec.id);
    ctx.dispatch(info(`${rec.name} ${done}`));
  } catch (err) {
    ctx.dispatch(error(`${verb} ${rec.name}: ${(err as Error).message}`));
  } finally {
    ctx.reload('containers');
  }
}

/** Removes what the confirmation listed; one failure does not stop the rest. */
export async function performDelete(ctx: ActionContext, request: DeleteRequest): Promise<void> {
  const failures: string[] = [];
  let removed = 0;
  if (request.pane === 'containers') {
    ctx.dispatch(info(`removing ${request.ids.length} container${request.ids.length === 1 ? '' : 's'}…`));
    const done: string[] = [];
    for (const id of request.ids) {
      try {
        await ctx.backend.removeContainer(id, { force: true });
        done.push(id);
        removed++;
      } catch (err) {
        failures.push(`${id.slice(0, 12)}: ${(err as Error).message}`);
      }
    }
    ctx.dispatch({ type: 'deleted', pane: 'containers', keys: done });
    ctx.reload('containers');
  } else {
    ctx.dispatch(info(`removing ${request.refs.length} image${request.refs.length === 1 ? '' : 's'}…`));
    for (const ref of request.refs) {
      try {
        await ctx.backend.removeImage(ref);
        removed++;
      } catch (err) {
        failures.push(`${ref}: ${(err as Error).message}`);
      }
    }
    ctx.reload('images');
  }
  const what = request.pane === 'containers' ? 'container' : 'image';
  if (failures.length > 0) ctx.dispatch(error(`removed ${removed}, failed ${failures.length}: ${failures.join('; ')}`));
  else ctx.dispatch(info(`removed ${removed} ${what}${removed === 1 ? '' : 's'}`));
}

/** Inspect output in the viewer overlay. */
export async function openInspect(ctx: ActionContext, kind: 'container' | 'image', ref: string, title: string): Promise<void> {
  try {
    const data = kind === 'container' ? await ctx.backend.inspectContainer(ref) : await ctx.backend.inspectImage(ref);
    ctx.dispatch({ type: 'openOverlay', overlay: { kind: 'inspect', title: `Inspect: ${title}`, lines: JSON.stringify(data, null, 2).split('\n'), offset: 0 } });
  } catch (err) {
    ctx.dispatch(error(`inspect ${title}: ${(err as Error).message}`));
  }
}

/** `history` of an image in the viewer overlay: ID, age, size and the step, newest first. */
export async function openHistory(ctx: ActionContext, ref: string, title: string): Promise<void> {
  try {
    const rows = await ctx.backend.imageHistory(ref);
    const now = Date.now();
    const lines = [
      'IMAGE          CREATED              SIZE       CREATED BY',
      ...rows.map((r) => {
        const id = r.id.startsWith('sha256:') ? r.id.slice(7, 19) : r.id;
        const age = createdSince(r.created, now);
        const comment = r.comment ? `  (${r.comment})` : '';
        return `${id.padEnd(14)} ${age.padEnd(20)} ${humanSize(r.size).padEnd(10)} ${r.createdBy}${comment}`;
      }),
    ];
    ctx.dispatch({ type: 'openOverlay', overlay: { kind: 'inspect', title: `History: ${title}`, lines, offset: 0 } });
  } catch (err) {
    ctx.dispatch(error(`history ${title}: ${(err as Error).message}`));
  }
}

/** `tag`: a new name for an image; the images list reloads to show it. */
export async function tagImage(ctx: ActionContext, source: string, target: string): Promise<void> {
  try {
    await ctx.backend.tagImage(source, target);
    ctx.reload('images');
    ctx.dispatch(info(`tagged ${target}`));
  } catch (err) {
    ctx.dispatch(error(`tag ${target}: ${(err as Error).message}`));
  }
}
