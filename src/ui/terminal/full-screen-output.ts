import { EventEmitter } from 'node:events';

const BEGIN_SYNC = '\x1b[?2026h'; // terminals that support it show the whole update at once
const END_SYNC = '\x1b[?2026l';
const HIDE_CURSOR = '\x1b[?25l';
const CLEAR_SCREEN = '\x1b[2J';
const ERASE_LINE = '\x1b[2K';

/**
 * The stream Ink renders into for a full-screen app: Ink (in its `debug` mode) writes each whole
 * frame here; this writes to the terminal only the rows that changed, each at its absolute
 * position, in one synchronized update. Nothing is erased and redrawn wholesale, so there is no
 * flicker, and no relative cursor arithmetic can drift (Ink 6.8's incremental mode is off by one
 * row for frames that end in a newline). Frames are coalesced: many renders in one tick cost
 * one write.
 *
 * Ink and components see this object as stdout: size and `resize` come from the real terminal.
 */
export class FullScreenOutput extends EventEmitter {
  readonly isTTY = true;
  private previous: string[] = [];
  private pending: string | undefined;
  private scheduled = false;
  private clear = true;
  private closed = false;
  private lastFrame: string | undefined;
  private readonly onResize = () => {
    // After a resize the terminal's content is not what we think: draw everything again.
    this.invalidate();
    this.emit('resize');
  };

  constructor(private readonly terminal: NodeJS.WriteStream) {
    super();
    terminal.on('resize', this.onResize);
  }

  get columns(): number {
    return this.terminal.columns || 80;
  }

  get rows(): number {
    return this.terminal.rows || 24;
  }

  write(chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    // Ink writes '' as a barrier before it resolves its exit: nothing to draw.
    if (text !== '') {
      this.pending = text;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    if (typeof cb === 'function') setImmediate(cb as () => void);
    return true;
  }

  /** Draws the whole frame again on the next write (after a resize, or ctrl-l). */
  invalidate(): void {
    this.previous = [];
    this.clear = true;
    if (this.pending === undefined && this.lastFrame !== undefined) this.write(this.lastFrame);
  }

  /** Writes the pending frame now (tests; exit). */
  flush(): void {
    this.scheduled = false;
    const frame = this.pending;
    this.pending = undefined;
    if (frame === undefined || this.closed) return;
    this.lastFrame = frame;
    const lines = frame.split('\n').slice(0, this.rows);
    let out = '';
    if (this.clear) {
      out += CLEAR_SCREEN;
      this.clear = false;
    }
    const count = Math.max(lines.length, this.previous.length);
    for (let i = 0; i < count; i++) {
      const line = lines[i] ?? '';
      if (line === this.previous[i]) continue;
      out += `\x1b[${i + 1};1H${ERASE_LINE}${line}`;
    }
    this.previous = lines;
    if (out !== '') this.terminal.write(`${BEGIN_SYNC}${HIDE_CURSOR}${out}${END_SYNC}`);
  }

  close(): void {
    this.flush();
    this.closed = true;
    this.terminal.off('resize', this.onResize);
  }
}
