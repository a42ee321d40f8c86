import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { renderTemplateRows } from '../format/go-template.js';
import { renderTable } from '../format/table.js';
import { createdSince, humanSize, type ImageSummary, shortId, parseReference, familiarName } from '../../core/index.js';

/** The fields `--format` sees, named as Docker's. */
function templateView(row: ImageSummary, noTrunc: boolean) {
  return {
    ID: noTrunc ? row.id : shortId(row.id),
    Repository: row.repository,
    Tag: row.tag,
    Digest: row.digest,
    CreatedSince: createdSince(row.created),
    CreatedAt: row.created ?? '',
    Size: humanSize(row.size),
    Containers: 'N/A',
  };
}

export const imagesCommand: Command = {
  name: 'images',
  usage: 'tsdock images [OPTIONS] [REPOSITORY[:TAG]]',
  summary: 'List images',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'images',
      argv,
      {
        quiet: { type: 'boolean', short: 'q' },
        all: { type: 'boolean', short: 'a' },
        digests: { type: 'boolean' },
        'no-trunc': { type: 'boolean' },
        format: { type: 'string' },
      },
      { max: 1 },
    );
    const engine = await ctx.engine();
    let rows = await engine.images({ all: values.all === true });
    if (positionals[0]) rows = rows.filter(matcher(positionals[0]));
    const noTrunc = values['no-trunc'] === true;
    if (values.quiet) {
      const ids = [...new Set(rows.map((r) => (noTrunc ? r.id : shortId(r.id))))];
      ctx.stdout.write(ids.map((i) => `${i}\n`).join(''));
      return 0;
    }
    if (typeof values.format === 'string' && values.format !== 'table') {
      ctx.stdout.write(renderTemplateRows(values.format, rows.map((r) => templateView(r, noTrunc)), renderTable));
      return 0;
    }
    const digests = values.digests === true;
    const header = ['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
    const table = rows.map((r) => {
      const v = templateView(r, noTrunc);
      return [v.Repository, v.Tag, ...(digests ? [v.Digest] : []), v.ID, v.CreatedSince, v.Size];
    });
    ctx.stdout.write(renderTable([header, ...table]));
    return 0;
  },
};

/** `images busybox` or `images busybox:1.36`: the repository, and the tag when given. */
function matcher(filter: string): (r: ImageSummary) => boolean {
  const hasTag = /:[^/]+$/.test(filter);
  const ref = parseReference(filter);
  const repo = familiarName(ref);
  return (r) => r.repository === repo && (!hasTag || r.tag === ref.tag);
}
