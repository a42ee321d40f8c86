import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { formatLogRecord, type LogRecord } from '../../core/index.js';

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
    const tail = values.tail === undefined || values.tail === 'all' ? 'all' : Number(values.tail);
    const timestamps = values.timestamps === true;
    const emit = (r: LogRecord) => (r.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(formatLogRecord(r, { timestamps }));
    await containers.logs(positionals[0]!, { tail, since: values.since as string | undefined, until: values.until as string | undefined, follow: values.follow === true }, emit);
    return 0;
  },
};
