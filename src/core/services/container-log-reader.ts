import { readFile } from 'node:fs/promises';
import type { ContainerManager } from '../runtime/container-manager.js';
import { joinPartials, parseLog, parseLogLine, parseSince, selectLogs, type LogRecord } from '../runtime/container-logs.js';

/** `docker logs` options; times as the user wrote them (a duration, a date or a Unix time). */
export interface LogsOptions {
  /** Only the last N records of what is already written; default all. */
  tail?: number | 'all';
  since?: string;
  until?: string;
  /** Keep reading what the log grows by until the container no longer runs. */
  follow?: boolean;
}

/** Calls `onRecord` with each selected record of a container's log, in order; resolves when done (after the exit with `follow`). */
export async function readContainerLogs(manager: ContainerManager, query: string, opts: LogsOptions, onRecord: (r: LogRecord) => void): Promise<void> {
  const rec = await manager.find(query);
  const now = Date.now();
  const since = opts.since !== undefined ? parseSince(opts.since, now) : undefined;
  const until = opts.until !== undefined ? parseSince(opts.until, now) : undefined;
  // A container that never started has no log file yet: that is an empty log.
  const text = await readFile(manager.paths.log(rec.id), 'utf8').catch(() => '');
  const offset = Buffer.byteLength(text);
  for (const r of selectLogs(joinPartials(parseLog(text)), { tail: opts.tail ?? 'all', since, until })) onRecord(r);
  if (!opts.follow) return;
  await manager.followLogUntilExit(rec.id, offset, (line) => {
    const r = parseLogLine(line);
    if (r && (until === undefined || r.timeMs <= until)) onRecord(r);
  });
}
