import { readFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { parseLog, joinPartials, selectLogs, parseSince, formatLogRecord, parseLogLine, type LogRecord } from '../../core/runtime/container-logs.js';

export const logsCommand: Command = {
  name: 'logs',
  usage: 'tsdock logs [OPTIONS] CONTAINER',
  summary: 'Fetch the logs of a container',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'logs',
      argv,
      { follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' }, timestamps: { type: 'boolean', short: 't' }, since: { type: 'string' }, until: { type: 'string' }, details: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const containers = await (await ctx.engine()).containers();
    const rec = await containers.find(positionals[0]!);
    const path = containers.paths.log(rec.id);
    const now = Date.now();
    const tail = values.tail === undefined || values.tail === 'all' ? 'all' : Number(values.tail);
    const since = typeof values.since === 'string' ? parseSince(values.since, now) : undefined;
    const until = typeof values.until === 'string' ? parseSince(values.until, now) : undefined;
    const timestamps = values.timestamps === true;
    const emit = (r: LogRecord) => (r.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(formatLogRecord(r, { timestamps }));

    const text = await readFile(path, 'utf8').catch(() => '');
    const offset = Buffer.byteLength(text);
    for (const r of selectLogs(joinPartials(parseLog(text)), { tail, since, until })) emit(r);
    if (!values.follow) return 0;

    // Follow what the log grows by until the container no longer runs.
    await containers.followLogUntilExit(rec.id, offset, (line) => {
      const r = parseLogLine(line);
      if (r && (until === undefined || r.timeMs <= until)) emit(r);
    });
    return 0;
  },
};
