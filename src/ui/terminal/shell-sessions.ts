import type { PtySession } from '../../core/index.js';
import { TerminalScreen, translateKeyForTerminal, type ScreenSnapshot } from './terminal-screen.js';

/** Redraws of a shell pane at most this often (about 30 frames a second). */
export const SHELL_FRAME_MS = 33;

interface Entry {
  pty: PtySession;
  screen: TerminalScreen;
  snapshot: ScreenSnapshot;
  listeners: Set<() => void>;
  timer?: NodeJS.Timeout;
  dispose: (() => void)[];
}

/**
 * The open shells: each a PTY (runc exec) whose output feeds a headless terminal. Views
 * subscribe to a shell and get a new snapshot of its screen at most every SHELL_FRAME_MS.
 * Lives outside React state: PTYs are not data.
 */
export class ShellSessions {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;

  /** Takes over a PTY; `onExit` runs once when its process ends. Returns the shell's id. */
  add(pty: PtySession, size: { cols: number; rows: number }, onExit: (id: number, exitCode: number) => void): number {
    const id = this.nextId++;
    const screen = new TerminalScreen(size.cols, size.rows);
    const entry: Entry = { pty, screen, snapshot: screen.snapshot(), listeners: new Set(), dispose: [] };
    this.entries.set(id, entry);
    entry.dispose.push(
      screen.onResponse((data) => pty.write(data)),
      pty.onData((data) => {
        void screen.write(data).then(() => this.schedule(id));
      }),
      pty.onExit(({ exitCode }) => {
        // Let the last output be parsed before the shell goes away.
        setTimeout(() => onExit(id, exitCode), 0);
      }),
    );
    return id;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  snapshot(id: number): ScreenSnapshot | undefined {
    return this.entries.get(id)?.snapshot;
  }

  /** Plain text of the screen (for tests and debugging). */
  text(id: number): string[] {
    return this.entries.get(id)?.screen.text() ?? [];
  }

  /** The last line of text the shell showed. */
  lastLine(id: number): string {
    return this.entries.get(id)?.screen.lastLine() ?? '';
  }

  subscribe(id: number, listener: () => void): () => void {
    const entry = this.entries.get(id);
    if (!entry) return () => {};
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Keys typed into the shell pane, as raw bytes. */
  write(id: number, raw: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.pty.write(translateKeyForTerminal(raw, entry.screen.applicationCursorKeys));
  }

  resize(id: number, cols: number, rows: number): void {
    const entry = this.entries.get(id);
    if (!entry || (entry.screen.cols === cols && entry.screen.rows === rows)) return;
    entry.screen.resize(cols, rows);
    entry.pty.resize(cols, rows);
    this.schedule(id);
  }

  /** Ends the shell's process and forgets it. */
  close(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    for (const d of entry.dispose) d();
    entry.pty.kill();
    entry.screen.dispose();
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.close(id);
  }

  private schedule(id: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.timer) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.entries.has(id)) return;
      entry.snapshot = entry.screen.snapshot();
      for (const l of entry.listeners) l();
    }, SHELL_FRAME_MS);
  }
}
