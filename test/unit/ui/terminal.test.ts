import { afterEach, describe, expect, it, vi } from 'vitest';
import { TerminalScreen, translateKeyForTerminal, withCursor } from '../../../src/ui/terminal/terminal-screen.js';
import { SHELL_FRAME_MS, ShellSessions } from '../../../src/ui/terminal/shell-sessions.js';
import { FullScreenOutput } from '../../../src/ui/terminal/full-screen-output.js';
import { EventEmitter } from 'node:events';
import { FakePty } from './fake-backend.js';

describe('TerminalScreen (xterm headless)', () => {
  it('keeps text, colours and the cursor of what a program wrote', async () => {
    const screen = new TerminalScreen(20, 4);
    await screen.write('hi \x1b[31mred\x1b[0m \x1b[1;44mbold\x1b[0m\r\n$ ');
    const snap = screen.snapshot();
    expect(screen.text()).toEqual(['hi red bold', '$ ', '', '']);
    expect(snap.lines[0]!.map((s) => [s.text, s.color, s.backgroundColor, s.bold])).toEqual([
      ['hi ', undefined, undefined, undefined],
      ['red', 'red', undefined, undefined],
      [' ', undefined, undefined, undefined],
      ['bold', undefined, 'blue', true],
      ['         ', undefined, undefined, undefined],
    ]);
    expect(snap.cursor).toEqual({ x: 2, y: 1, visible: true });
    await screen.write('\x1b[?25l');
    expect(screen.snapshot().cursor.visible).toBe(false);
    await screen.write('\x1b[38;5;200mx\x1b[38;2;1;2;3my');
    const spans = screen.snapshot().lines[1]!;
    expect(spans.find((s) => s.text === 'x')?.color).toBe('ansi256(200)');
    expect(spans.find((s) => s.text === 'y')?.color).toBe('#010203');
    screen.dispose();
  });

  it('reflows to a new size and answers cursor position queries', async () => {
    const screen = new TerminalScreen(10, 3);
    const answers: string[] = [];
    screen.onResponse((d) => answers.push(d));
    await screen.write('abc\x1b[6n');
    expect(answers).toEqual(['\x1b[1;4R']);
    screen.resize(30, 5);
    expect(screen.snapshot().lines).toHaveLength(5);
    expect(screen.snapshot().cols).toBe(30);
    screen.dispose();
  });

  it('reads back the last line, joined where it wrapped', async () => {
    const screen = new TerminalScreen(10, 4);
    await screen.write('$ run\r\nexec failed: not found\r\n\r\n');
    expect(screen.lastLine()).toBe('exec failed: not found');
    screen.dispose();
  });

  it('draws the cursor cell inverted, also past the end of the text', () => {
    expect(withCursor([{ text: 'abc' }], 1)).toEqual([{ text: 'a' }, { text: 'b', inverse: true }, { text: 'c' }]);
    expect(withCursor([{ text: 'ab', color: 'red' }], 4)).toEqual([{ text: 'ab', color: 'red' }, { text: '  ' }, { text: ' ', inverse: true }]);
  });

  it('sends arrows the way the program asked for them', () => {
    expect(translateKeyForTerminal('\x1b[A', false)).toBe('\x1b[A');
    expect(translateKeyForTerminal('\x1b[A', true)).toBe('\x1bOA');
    expect(translateKeyForTerminal('x', true)).toBe('x');
  });
});

describe('ShellSessions', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws at most once a frame, forwards keys, resizes and closes', async () => {
    vi.useFakeTimers();
    const sessions = new ShellSessions();
    const pty = new FakePty();
    const exits: [number, number][] = [];
    const id = sessions.add(pty, { cols: 20, rows: 4 }, (sid, code) => exits.push([sid, code]));
    let frames = 0;
    sessions.subscribe(id, () => frames++);
    pty.output('echo ');
    pty.output('$((6*7))\r\n42\r\n');
    await vi.advanceTimersByTimeAsync(SHELL_FRAME_MS + 1);
    expect(frames).toBe(1);
    expect(sessions.text(id).slice(0, 2)).toEqual(['echo $((6*7))', '42']);
    sessions.write(id, 'ls\r');
    expect(pty.written).toEqual(['ls\r']);
    sessions.resize(id, 30, 6);
    expect(pty.sizes).toEqual([[30, 6]]);
    sessions.resize(id, 30, 6);
    expect(pty.sizes).toHaveLength(1);
    pty.exit(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([[id, 3]]);
    sessions.close(id);
    expect(pty.killed).toBe(true);
    expect(sessions.has(id)).toBe(false);
  });
});

class FakeTerminal extends EventEmitter {
  columns = 20;
  rows = 4;
  out = '';
  write(s: string) {
    this.out += s;
    return true;
  }
}

describe('FullScreenOutput', () => {
  it('writes only the rows that changed, at their place, once per tick', () => {
    const term = new FakeTerminal();
    const screen = new FullScreenOutput(term as unknown as NodeJS.WriteStream);
    screen.write('a\nb\nc');
    screen.write('a\nB\nc');
    screen.flush();
    expect(term.out).toBe('\x1b[?2026h\x1b[?25l\x1b[2J\x1b[1;1H\x1b[2Ka\x1b[2;1H\x1b[2KB\x1b[3;1H\x1b[2Kc\x1b[?2026l');
    term.out = '';
    screen.write('a\nb\nc');
    screen.flush();
    expect(term.out).toBe('\x1b[?2026h\x1b[?25l\x1b[2;1H\x1b[2Kb\x1b[?2026l');
    term.out = '';
    screen.write('a\nb');
    screen.flush();
    expect(term.out).toBe('\x1b[?2026h\x1b[?25l\x1b[3;1H\x1b[2K\x1b[?2026l');
    term.out = '';
    screen.write('a\nb');
    screen.flush();
    expect(term.out).toBe('');
  });

  it('redraws everything after a resize and passes the event on', () => {
    const term = new FakeTerminal();
    const screen = new FullScreenOutput(term as unknown as NodeJS.WriteStream);
    let resized = 0;
    screen.on('resize', () => resized++);
    screen.write('x\ny');
    screen.flush();
    term.out = '';
    term.columns = 40;
    term.emit('resize');
    screen.flush();
    expect(resized).toBe(1);
    expect(screen.columns).toBe(40);
    expect(term.out).toContain('\x1b[2J');
    expect(term.out).toContain('\x1b[1;1H\x1b[2Kx');
    screen.close();
  });
});
