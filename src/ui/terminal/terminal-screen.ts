import xterm from '@xterm/headless';
import type { IBufferCell } from '@xterm/headless';

/** A run of cells with the same look, as Ink's <Text> props take it. */
export interface Span {
  text: string;
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface ScreenSnapshot {
  cols: number;
  rows: number;
  lines: Span[][];
  cursor: { x: number; y: number; visible: boolean };
}

// The 16 ANSI colours by chalk's names; 16-255 go as ansi256(n).
const ANSI_NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright'];

function paletteColor(n: number): string {
  return ANSI_NAMES[n] ?? `ansi256(${n})`;
}

function rgbColor(n: number): string {
  return `#${n.toString(16).padStart(6, '0')}`;
}

function fg(cell: IBufferCell): string | undefined {
  if (cell.isFgPalette()) return paletteColor(cell.getFgColor());
  if (cell.isFgRGB()) return rgbColor(cell.getFgColor());
  return undefined;
}

function bg(cell: IBufferCell): string | undefined {
  if (cell.isBgPalette()) return paletteColor(cell.getBgColor());
  if (cell.isBgRGB()) return rgbColor(cell.getBgColor());
  return undefined;
}

function sameLook(a: Span, b: Span): boolean {
  return (
    a.color === b.color &&
    a.backgroundColor === b.backgroundColor &&
    a.bold === b.bold &&
    a.dimColor === b.dimColor &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse
  );
}

/**
 * A terminal emulator without a display (@xterm/headless) that a PTY's output is written to; the
 * TUI draws its visible lines. Tracks cursor visibility (DECTCEM), which xterm keeps private.
 */
export class TerminalScreen {
  private readonly term: InstanceType<typeof xterm.Terminal>;
  private cursorVisible = true;

  constructor(cols: number, rows: number) {
    this.term = new xterm.Terminal({ cols: Math.max(1, cols), rows: Math.max(1, rows), allowProposedApi: true, scrollback: 1000 });
    const track = (visible: boolean) => (params: (number | number[])[]) => {
      if (params.includes(25)) this.cursorVisible = visible;
      return false; // let xterm handle the sequence too
    };
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, track(true));
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, track(false));
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Programs that switch the cursor keys to application mode (vim, less) expect ESC O A for up. */
  get applicationCursorKeys(): boolean {
    return this.term.modes.applicationCursorKeysMode;
  }

  /** What the terminal answers to queries from the program (cursor position, device attributes): goes back to the PTY. */
  onResponse(listener: (data: string) => void): () => void {
    const d = this.term.onData(listener);
    return () => d.dispose();
  }

  write(data: string): Promise<void> {
    return new Promise((resolve) => this.term.write(data, resolve));
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(Math.max(1, cols), Math.max(1, rows));
  }

  /** The visible screen as spans per line. */
  snapshot(): ScreenSnapshot {
    const buffer = this.term.buffer.active;
    const lines: Span[][] = [];
    let cell: IBufferCell | undefined;
    for (let y = 0; y < this.term.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      const spans: Span[] = [];
      if (line) {
        for (let x = 0; x < this.term.cols; x++) {
          cell = line.getCell(x, cell);
          if (!cell) break;
          if (cell.getWidth() === 0) continue; // the right half of a wide character
          const span: Span = {
            text: cell.getChars() || ' ',
            color: fg(cell),
            backgroundColor: bg(cell),
            bold: cell.isBold() !== 0 || undefined,
            dimColor: cell.isDim() !== 0 || undefined,
            italic: cell.isItalic() !== 0 || undefined,
            underline: cell.isUnderline() !== 0 || undefined,
            inverse: cell.isInverse() !== 0 || undefined,
          };
          const last = spans[spans.length - 1];
          if (last && sameLook(last, span)) last.text += span.text;
          else spans.push(span);
        }
      }
      lines.push(spans);
    }
    return {
      cols: this.term.cols,
      rows: this.term.rows,
      lines,
      cursor: { x: buffer.cursorX, y: buffer.cursorY + buffer.baseY - buffer.viewportY, visible: this.cursorVisible },
    };
  }

  /** The visible screen as plain text lines (trailing blanks trimmed). */
  text(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** The last line with text, with its wrapped parts joined (e.g. the error a failed exec printed). */
  lastLine(): string {
    const buffer = this.term.buffer.active;
    const text = (y: number) => buffer.getLine(y)?.translateToString(true) ?? '';
    let y = buffer.length - 1;
    while (y >= 0 && text(y).trim() === '') y--;
    if (y < 0) return '';
    let line = text(y);
    while (y > 0 && buffer.getLine(y)?.isWrapped) line = text(--y) + line;
    return line.trim();
  }

  dispose(): void {
    this.term.dispose();
  }
}

/** Arrow keys as the program in the terminal expects them (normal or application mode). */
export function translateKeyForTerminal(raw: string, applicationCursorKeys: boolean): string {
  if (!applicationCursorKeys) return raw;
  const m = /^\x1b\[([ABCDHF])$/.exec(raw);
  return m ? `\x1bO${m[1]}` : raw;
}

/** The line's spans with the cell at `x` drawn as the cursor (inverse); pads when the line is short. */
export function withCursor(spans: readonly Span[], x: number): Span[] {
  const out: Span[] = [];
  let col = 0;
  let placed = false;
  for (const s of spans) {
    const chars = [...s.text];
    if (placed || x < col || x >= col + chars.length) {
      out.push(s);
      col += chars.length;
      continue;
    }
    const at = x - col;
    if (at > 0) out.push({ ...s, text: chars.slice(0, at).join('') });
    out.push({ ...s, text: chars[at]!, inverse: !s.inverse });
    if (at + 1 < chars.length) out.push({ ...s, text: chars.slice(at + 1).join('') });
    col += chars.length;
    placed = true;
  }
  if (!placed) {
    if (x > col) out.push({ text: ' '.repeat(x - col) });
    out.push({ text: ' ', inverse: true });
  }
  return out;
}
