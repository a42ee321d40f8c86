import { type PullEvent, shortId, humanSize } from '../../core/index.js';
import { ProgressLines } from './progress-lines.js';

const BAR_WIDTH = 50;

/** Docker's progress bar: `[=====>     ]  1.2MB/3.4MB`. */
export function progressBar(current: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH)) : 0;
  const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}] ${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
}

function statusText(e: Extract<PullEvent, { type: 'layer' }>, withBar: boolean): string {
  switch (e.phase) {
    case 'waiting':
      return 'Pulling fs layer';
    case 'exists':
      return 'Already exists';
    case 'downloading':
      return withBar ? `Downloading ${progressBar(e.current ?? 0, e.total ?? 0)}` : 'Downloading';
    case 'verifying':
      return 'Verifying Checksum';
    case 'extracting':
      return 'Extracting';
    case 'complete':
      return 'Pull complete';
  }
}

/**
 * Turns pull events into Docker's output. On a terminal each layer keeps one line, rewritten
 * in place with cursor movements; elsewhere each state change is one plain line (no bars).
 */
export class PullProgressPrinter {
  private readonly lines: ProgressLines;

  constructor(out: NodeJS.WritableStream, tty: boolean) {
    this.lines = new ProgressLines(out, tty);
  }

  handle = (e: PullEvent): void => {
    if (e.type === 'resolved' || e.type === 'done') return;
    // Without a terminal Docker prints state changes only, no byte progress.
    this.lines.show(shortId(e.digest), statusText(e, this.lines.tty), e.phase === 'downloading');
  };
}
