import type { Command } from '../command.js';
import { many, parseCommandArgs } from '../args.js';
import { formatList, type ListSpec } from '../format/list-format.js';
import { goTimeString } from '../format/go-time.js';
import { ellipsis } from '../format/table.js';
import { parsePsFilters, statusText, createdText, type ContainerRecord, humanSize } from '../../core/index.js';

/** The command in quotes, as ps shows it; the spec shortens it to 20 characters. */
function commandText(rec: ContainerRecord): string {
  return `"${[rec.path, ...rec.args].join(' ')}"`;
}

/** Volume names and bind sources, as Docker's `.Mounts`. */
function mountNames(rec: ContainerRecord): string {
  return [...rec.request.volumes.map((v) => v.name), ...rec.request.binds.map((b) => b.source)].join(',');
}

/** The networks a container is on, as Docker's `.Networks` (sorted names; none for `container:`). */
function networkNames(rec: ContainerRecord): string {
  const { network, networks } = rec.request;
  if (network === 'bridge') return [...(networks ?? ['bridge'])].sort().join(',');
  if (network === 'host') return 'host';
  return network === 'container' ? '' : 'none';
}

/** Docker's container fields and headers; the default table gains SIZE with -s. */
function psSpec(size: boolean): ListSpec {
  return {
    fields: {
      ID: { header: 'CONTAINER ID', truncate: (id) => id.slice(0, 12) },
      Image: { header: 'IMAGE' },
      Command: { header: 'COMMAND', truncate: (cmd) => `"${ellipsis(cmd.slice(1, -1), 20)}"` },
      CreatedAt: { header: 'CREATED AT' },
      RunningFor: { header: 'CREATED' },
      Ports: { header: 'PORTS' },
      State: { header: 'STATE' },
      Status: { header: 'STATUS' },
      Size: { header: 'SIZE' },
      Names: { header: 'NAMES' },
      Labels: { header: 'LABELS' },
      Mounts: { header: 'MOUNTS', truncate: (list) => list.split(',').map((m) => ellipsis(m, 15)).join(',') },
      LocalVolumes: { header: 'LOCAL VOLUMES' },
      Networks: { header: 'NETWORKS' },
    },
    columns: ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names', ...(size ? ['Size'] : [])],
  };
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
    const flags = { format: values.format as string | undefined, quiet: values.quiet === true, noTrunc: values['no-trunc'] === true };
    if (values.quiet) {
      ctx.stdout.write(formatList(rows.map((r) => ({ ID: r.id })), psSpec(false), flags));
      return 0;
    }
    const now = Date.now();
    const sizes = new Map<string, string>();
    if (values.size) for (const r of rows) sizes.set(r.id, await containers.size(r).then((s) => `${humanSize(s.rw)} (virtual ${humanSize(s.image)})`));
    const ports = new Map(await Promise.all(rows.map(async (r) => [r.id, await containers.portsText(r)] as const)));
    const view = rows.map((r) => ({
      ID: r.id,
      Image: r.request.image,
      Command: commandText(r),
      CreatedAt: goTimeString(r.created),
      RunningFor: createdText(r.created, now),
      Status: statusText(r.state, now),
      State: r.state.status,
      Ports: ports.get(r.id) ?? '',
      Names: r.name,
      Labels: Object.entries(r.request.labels).map(([k, v]) => `${k}=${v}`).join(','),
      // Docker prints 0B when the sizes were not asked for.
      Size: sizes.get(r.id) ?? humanSize(0),
      Mounts: mountNames(r),
      LocalVolumes: String(r.request.volumes.length),
      Networks: networkNames(r),
    }));
    ctx.stdout.write(formatList(view, psSpec(values.size === true), flags));
    return 0;
  },
};
