import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { formatList, type ListRow, type ListSpec } from '../format/list-format.js';
import { goTimeString } from '../format/go-time.js';
import { createdSince, humanSize, type ImageSummary, shortId, parseReference, familiarName } from '../../core/index.js';

/** One row as Docker's `images` names and prints its fields (full IDs: the spec shortens them). */
function templateView(row: ImageSummary): ListRow {
  return {
    ID: row.id,
    Repository: row.repository,
    Tag: row.tag,
    Digest: row.digest,
    CreatedSince: createdSince(row.created),
    CreatedAt: goTimeString(row.created),
    Size: humanSize(row.size),
    // Docker prints this deprecated twin of Size with four significant digits.
    VirtualSize: humanSize(row.size, 4),
    SharedSize: 'N/A',
    UniqueSize: 'N/A',
    Containers: 'N/A',
  };
}

/** Docker's image fields and headers; the default table shows DIGEST with --digests only. */
function imagesSpec(digests: boolean): ListSpec {
  return {
    fields: {
      ID: { header: 'IMAGE ID', truncate: shortId },
      Repository: { header: 'REPOSITORY' },
      Tag: { header: 'TAG' },
      Digest: { header: 'DIGEST' },
      CreatedSince: { header: 'CREATED' },
      CreatedAt: { header: 'CREATED AT' },
      Size: { header: 'SIZE' },
      VirtualSize: { header: 'SIZE' },
      SharedSize: { header: 'SHARED SIZE' },
      UniqueSize: { header: 'UNIQUE SIZE' },
      Containers: { header: 'CONTAINERS' },
    },
    columns: ['Repository', 'Tag', ...(digests ? ['Digest'] : []), 'ID', 'CreatedSince', 'Size'],
    uniqueQuiet: true,
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
    const flags = { format: values.format as string | undefined, quiet: values.quiet === true, noTrunc: values['no-trunc'] === true };
    ctx.stdout.write(formatList(rows.map(templateView), imagesSpec(values.digests === true), flags));
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
