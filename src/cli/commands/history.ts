import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { renderTable, ellipsis } from '../format/table.js';
import { createdSince, humanSize, shortId } from '../../core/index.js';
import { renderTemplateRows } from '../format/go-template.js';

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
    const noTrunc = values['no-trunc'] === true;
    const view = rows.map((r) => ({
      ID: r.id === '<missing>' || noTrunc ? r.id : shortId(r.id),
      CreatedSince: createdSince(r.created),
      CreatedAt: r.created ?? '',
      CreatedBy: noTrunc ? r.createdBy : ellipsis(r.createdBy.replace(/\s+/g, ' '), 45),
      Size: values.human === false ? String(r.size) : humanSize(r.size),
      Comment: r.comment,
    }));
    if (values.quiet) {
      ctx.stdout.write(view.map((v) => `${v.ID}\n`).join(''));
      return 0;
    }
    if (typeof values.format === 'string') {
      ctx.stdout.write(renderTemplateRows(values.format, view, renderTable));
      return 0;
    }
    ctx.stdout.write(renderTable([['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], ...view.map((v) => [v.ID, v.CreatedSince, v.CreatedBy, v.Size, v.Comment])]));
    return 0;
  },
};
