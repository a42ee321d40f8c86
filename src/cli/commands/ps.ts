import type { Command } from '../command.js';
import { many, parseCommandArgs } from '../args.js';
import { renderTable, ellipsis } from '../format/table.js';
import { renderTemplateRows } from '../format/go-template.js';
import { parsePsFilters, statusText, createdText, type ContainerRecord, humanSize } from '../../core/index.js';

function commandText(rec: ContainerRecord, noTrunc: boolean): string {
  const cmd = [rec.path, ...rec.args].join(' ');
  return noTrunc ? `"${cmd}"` : `"${ellipsis(cmd, 20)}"`;
}

export const psCommand: Command = {
  name: 'ps',
  usage: 'tsdock ps [OPTIONS]',
  summary: 'List containers',
  async run(ctx, argv) {
    const { values } = parseCommandArgs(
      'ps',
      argv,
      {
        all: { type: 'boolean', short: 'a' },
        quiet: { type: 'boolean', short: 'q' },
        last: { type: 'string', short: 'n' },
        latest: { type: 'boolean', short: 'l' },
        size: { type: 'boolean', short: 's' },
        'no-trunc': { type: 'boolean' },
        filter: { type: 'string', short: 'f', multiple: true },
        format: { type: 'string' },
      },
      { max: 0 },
    );
    const filter = parsePsFilters(many(values.filter));
    const containers = await (await ctx.engine()).containers();
    let rows = (await containers.list({ filter })).sort((a, b) => b.created.localeCompare(a.created));
    const all = values.all === true || filter.all || values.last !== undefined || values.latest === true;
    if (!all) rows = rows.filter((r) => r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting');
    if (values.last !== undefined) rows = rows.slice(0, Number(values.last));
    if (values.latest) rows = rows.slice(0, 1);
    const noTrunc = values['no-trunc'] === true;
    if (values.quiet) {
      ctx.stdout.write(rows.map((r) => `${noTrunc ? r.id : r.id.slice(0, 12)}\n`).join(''));
      return 0;
    }
    const now = Date.now();
    const sizes = new Map<string, string>();
    if (values.size) for (const r of rows) sizes.set(r.id, await containers.size(r).then((s) => `${humanSize(s.rw)} (virtual ${humanSize(s.image)})`));
    const ports = new Map(await Promise.all(rows.map(async (r) => [r.id, await containers.portsText(r)] as const)));
    const view = rows.map((r) => ({
      ID: noTrunc ? r.id : r.id.slice(0, 12),
      Image: r.request.image,
      Command: commandText(r, noTrunc),
      CreatedAt: r.created,
      RunningFor: createdText(r.created, now),
      Status: statusText(r.state, now),
      State: r.state.status,
      Ports: ports.get(r.id) ?? '',
      Names: r.name,
      Labels: Object.entries(r.request.labels).map(([k, v]) => `${k}=${v}`).join(','),
      Size: sizes.get(r.id) ?? '',
    }));
    if (typeof values.format === 'string') {
      ctx.stdout.write(renderTemplateRows(values.format, view, renderTable));
      return 0;
    }
    const header = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(values.size ? ['SIZE'] : [])];
    ctx.stdout.write(renderTable([header, ...view.map((v) => [v.ID, v.Image, v.Command, v.RunningFor, v.Status, v.Ports, v.Names, ...(values.size ? [v.Size] : [])])]));
    return 0;
  },
};
