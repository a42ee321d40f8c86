import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { ellipsis } from '../format/table.js';
import { createdSince, humanSize, shortId } from '../../core/index.js';
import { formatList, type ListSpec } from '../format/list-format.js';
import { goRfc3339 } from '../format/go-time.js';

/** Docker's history fields and headers; IDs and commands are shortened unless --no-trunc. */
const HISTORY_SPEC: ListSpec = {
  fields: {
    ID: { header: 'IMAGE', truncate: (id) => (id === '<missing>' ? id : shortId(id)) },
    CreatedSince: { header: 'CREATED' },
    CreatedAt: { header: 'CREATED AT' },
    CreatedBy: { header: 'CREATED BY', truncate: (cmd) => ellipsis(cmd.replace(/\s+/g, ' '), 45) },
    Size: { header: 'SIZE' },
    Comment: { header: 'COMMENT' },
  },
  columns: ['ID', 'CreatedSince', 'CreatedBy', 'Size', 'Comment'],
};

export const historyCommand: Command = {
  name: 'history',
  usage: 'tsdock history [OPTIONS] IMAGE',
  summary: 'Show the history of an image',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'history',
      argv,
      { 'no-trunc': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, human: { type: 'boolean', short: 'H', default: true }, format: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const rows = await (await ctx.engine()).history(positionals[0]!);
    const view = rows.map((r) => ({
      ID: r.id,
      CreatedSince: createdSince(r.created),
      CreatedAt: goRfc3339(r.created),
      CreatedBy: r.createdBy,
      Size: values.human === false ? String(r.size) : humanSize(r.size),
      Comment: r.comment,
    }));
    ctx.stdout.write(formatList(view, HISTORY_SPEC, { format: values.format as string | undefined, quiet: values.quiet === true, noTrunc: values['no-trunc'] === true }));
    return 0;
  },
};
