import type { Command } from '../command.js';
import { many, parseCommandArgs, UsageError } from '../args.js';
import { formatList, type ListSpec } from '../format/list-format.js';
import { inspectPrinter } from '../format/inspect-format.js';
import { confirm } from '../prompt.js';
import { humanSize, parseVolumeFilters } from '../../core/index.js';

/** Docker's `key=value` labels (a bare key has an empty value). */
function parseLabels(specs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    labels[i < 0 ? s : s.slice(0, i)] = i < 0 ? '' : s.slice(i + 1);
  }
  return labels;
}

export const volumeCreateCommand: Command = {
  name: 'create',
  usage: 'tsdock volume create [OPTIONS] [VOLUME]',
  summary: 'Create a volume',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'volume create',
      argv,
      {
        driver: { type: 'string', short: 'd' },
        label: { type: 'string', multiple: true },
        opt: { type: 'string', short: 'o', multiple: true },
        name: { type: 'string' },
      },
      { max: 1 },
    );
    if (typeof values.name === 'string' && positionals.length && positionals[0] !== values.name) {
      throw new UsageError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`, 'volume create');
    }
    const volumes = await (await ctx.engine()).volumes();
    const name = await volumes.create({
      name: positionals[0] ?? (values.name as string | undefined),
      driver: values.driver as string | undefined,
      driverOptions: many(values.opt),
      labels: parseLabels(many(values.label)),
    });
    ctx.stdout.write(`${name}\n`);
    return 0;
  },
};

export const volumeLsCommand: Command = {
  name: 'ls',
  aliases: ['list'],
  usage: 'tsdock volume ls [OPTIONS]',
  summary: 'List volumes',
  async run(ctx, argv) {
    const { values } = parseCommandArgs(
      'volume ls',
      argv,
      {
        quiet: { type: 'boolean', short: 'q' },
        format: { type: 'string' },
        filter: { type: 'string', short: 'f', multiple: true },
      },
      { max: 0 },
    );
    const filter = parseVolumeFilters(many(values.filter));
    const rows = await (await (await ctx.engine()).volumes()).list(filter);
    const view = rows.map((v) => ({
      Name: v.name,
      Driver: v.driver,
      Scope: 'local',
      Mountpoint: v.mountpoint,
      Labels: Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).join(','),
      Links: String(v.users),
      Size: 'N/A',
      // Not one of Docker's fields (so not in --format json), kept for templates that use it.
      CreatedAt: v.created,
    }));
    ctx.stdout.write(formatList(view, VOLUME_LS_SPEC, { format: values.format as string | undefined, quiet: values.quiet === true }));
    return 0;
  },
};

/** Docker's volume fields and headers; -q prints names. */
const VOLUME_LS_SPEC: ListSpec = {
  fields: {
    Name: { header: 'VOLUME NAME' },
    Driver: { header: 'DRIVER' },
    Scope: { header: 'SCOPE' },
    Mountpoint: { header: 'MOUNTPOINT' },
    Labels: { header: 'LABELS' },
    Links: { header: 'LINKS' },
    Size: { header: 'SIZE' },
  },
  columns: ['Driver', 'Name'],
  quietField: 'Name',
};

export const volumeInspectCommand: Command = {
  name: 'inspect',
  usage: 'tsdock volume inspect [OPTIONS] VOLUME [VOLUME...]',
  summary: 'Display detailed information on one or more volumes',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('volume inspect', argv, { format: { type: 'string', short: 'f' } }, { min: 1 });
    const volumes = await (await ctx.engine()).volumes();
    const print = inspectPrinter(values.format as string | undefined);
    const found: Record<string, unknown>[] = [];
    let status = 0;
    for (const name of positionals) {
      const v = await volumes.inspect(name);
      if (!v) {
        ctx.stderr.write(`Error: No such volume: ${name}\n`);
        status = 1;
        continue;
      }
      found.push(v);
    }
    ctx.stdout.write(print(found));
    return status;
  },
};

export const volumeRmCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'tsdock volume rm [OPTIONS] VOLUME [VOLUME...]',
  summary: 'Remove one or more volumes',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('volume rm', argv, { force: { type: 'boolean', short: 'f' } }, { min: 1 });
    const volumes = await (await ctx.engine()).volumes();
    let status = 0;
    for (const name of positionals) {
      try {
        await volumes.remove(name, { force: values.force === true });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};

export const volumePruneCommand: Command = {
  name: 'prune',
  usage: 'tsdock volume prune [OPTIONS]',
  summary: 'Remove unused local volumes',
  async run(ctx, argv) {
    const { values } = parseCommandArgs(
      'volume prune',
      argv,
      {
        all: { type: 'boolean', short: 'a' },
        force: { type: 'boolean', short: 'f' },
        filter: { type: 'string', multiple: true },
      },
      { max: 0 },
    );
    const specs = many(values.filter);
    let all = values.all === true;
    const allFilter = specs.find((s) => /^all=/.test(s));
    if (allFilter) {
      if (all) throw new UsageError('conflicting options: cannot specify both --all and --filter all=1', 'volume prune');
      all = /^all=(1|true)$/i.test(allFilter);
    }
    const filter = parseVolumeFilters(specs.filter((s) => s !== allFilter));
    const warning = all
      ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] '
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    if (!values.force && !(await confirm(ctx, warning))) return 0;
    const { deleted, reclaimed } = await (await (await ctx.engine()).volumes()).prune({ all, filter });
    if (deleted.length) ctx.stdout.write(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(reclaimed, 4)}\n`);
    return 0;
  },
};
