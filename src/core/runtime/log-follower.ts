import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LogLineSplitter, parseLogLine, type LogRecord, type LogStream } from './container-logs.js';

/** Reads at most this much of an existing log when the viewer opens (the end of it). */
const INITIAL_BYTES = 8 << 20;

/**
 * Follows a k8s-file log (conmon's ctr.log): reads what is there, then what is appended, woken
 * by inotify on the log's directory (which also sees the file appear when the container first
 * starts). P fragments are held until the record that ends them, so each record is one line.
 */
export function followLogFile(path: string, onRecords: (records: LogRecord[]) => void, onError: (err: Error) => void): () => void {
  let closed = false;
  let fh: FileHandle | undefined;
  let pos = 0;
  let reading = false;
  let again = false;
  const splitter = new LogLineSplitter();
  const open_: Partial<Record<LogStream, LogRecord>> = {};
  const buf = Buffer.alloc(1 << 16);

  const emit = (lines: string[]) => {
    const parsed: LogRecord[] = [];
    for (const line of lines) {
      const r = parseLogLine(line);
      if (r) parsed.push(r);
    }
    // Hold back fragments whose line has not ended yet.
    const records: LogRecord[] = [];
    for (const r of parsed) {
      const pending = open_[r.stream];
      if (pending) {
        pending.content += r.content;
        if (!r.partial) {
          pending.partial = false;
          records.push(pending);
          delete open_[r.stream];
        }
      } else if (r.partial) {
        open_[r.stream] = { ...r };
      } else records.push(r);
    }
    if (records.length > 0 && !closed) onRecords(records);
  };

  const readMore = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        if (!fh) {
          // The log appears once conmon writes it: tried again on the next wake-up.
          fh = await open(path, 'r').catch(() => undefined);
          if (!fh) return;
          const { size } = await fh.stat();
          if (size > INITIAL_BYTES) {
            // Start at a line boundary near the end.
            pos = size - INITIAL_BYTES;
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
            pos += nl >= 0 ? nl + 1 : 0;
          }
        }
        for (;;) {
          if (closed) return;
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          emit(splitter.feed(buf.subarray(0, bytesRead)));
        }
      } while (again && !closed);
    } catch (err) {
      if (!closed) onError(err as Error);
    } finally {
      reading = false;
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    const name = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_e, f) => {
      if (f === null || String(f) === name) void readMore();
    });
    watcher.on('error', () => watcher?.close());
  } catch (err) {
    onError(err as Error);
  }
  void readMore();

  return () => {
    closed = true;
    watcher?.close();
    // Ending the follow: a failing close of a read-only handle loses nothing.
    void fh?.close().catch(() => {});
  };
}

/**
 * `logs -f`: the lines appended to a container's log from byte `offset` on, until the container
 * no longer runs. Woken by inotify on the log's directory and on conmon's exit dir (with a slow
 * timer as a safety net), so lines arrive as they are written and an idle follow does no work.
 * Lines are raw k8s-file lines; the caller parses and filters them.
 */
export async function followUntilExit(path: string, offset: number, opts: { exitDir: string; isRunning: () => Promise<boolean>; onLine: (line: string) => void }): Promise<void> {
  // No log file (a container that never ran): nothing to follow.
  // No log file (a container that never ran): nothing to follow.
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return;
  const splitter = new LogLineSplitter();
  const buf = Buffer.alloc(1 << 16);
  let pos = offset;
  let pending = false;
  let wake: (() => void) | undefined;
  const onEvent = () => {
    pending = true;
    wake?.();
  };
  const watchers: FSWatcher[] = [];
  for (const dir of [dirname(path), opts.exitDir]) {
    try {
      watchers.push(watch(dir, { persistent: false }, onEvent).on('error', () => {}));
    } catch {
      // Not watchable: the timer still wakes us.
    }
  }
  const drain = async () => {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      for (const line of splitter.feed(buf.subarray(0, bytesRead))) opts.onLine(line);
    }
  };
  try {
    for (;;) {
      pending = false;
      await drain();
      if (!(await opts.isRunning())) {
        await drain(); // what conmon wrote just before the exit
        return;
      }
      if (pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    for (const w of watchers) w.close();
    await fh.close();
  }
}
