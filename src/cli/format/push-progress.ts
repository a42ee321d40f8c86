import { type PushEvent, shortId } from '../../core/index.js';
import { progressBar } from './pull-progress.js';
import { ProgressLines } from './progress-lines.js';

type LayerEvent = Extract<PushEvent, { type: 'layer' }>;

function statusText(e: LayerEvent, withBar: boolean): string {
  switch (e.phase) {
    case 'preparing':
      return 'Preparing';
    case 'waiting':
      return 'Waiting';
    case 'pushing':
      return withBar ? `Pushing ${progressBar(e.current ?? 0, e.total ?? 0)}` : 'Pushing';
    case 'pushed':
      return 'Pushed';
    case 'exists':
      return 'Layer already exists';
    case 'mounted':
      return `Mounted from ${e.from ?? ''}`;
  }
}

/** Turns push events into Docker's push output (the final digest line included). */
export class PushProgressPrinter {
  private readonly lines: ProgressLines;

  constructor(
    private readonly out: NodeJS.WritableStream,
    tty: boolean,
  ) {
    this.lines = new ProgressLines(out, tty);
  }

  handle = (e: PushEvent): void => {
    if (e.type === 'done') {
      this.out.write(`${e.tag}: digest: ${e.digest} size: ${e.size}\n`);
      return;
    }
    this.lines.show(shortId(e.diffId), statusText(e, this.lines.tty), e.phase === 'pushing');
  };
}
