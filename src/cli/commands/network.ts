// `tsdock network create|ls|inspect|rm|prune|connect|disconnect`, with Docker's flags and output.
import type { Command } from '../command.js';
import { many, parseCommandArgs, UsageError } from '../args.js';
import { formatList, type ListSpec } from '../format/list-format.js';
import { inspectPrinter } from '../format/inspect-format.js';
import { goTimeString } from '../format/go-time.js';
import { confirm } from '../prompt.js';
import { isPredefined, type NetworkRecord, isErrorKind } from '../../core/index.js';

/** Docker's `key=value` labels (a bare key has an empty value). */
function parseLabels(specs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    labels[i < 0 ? s : s.slice(0, i)] = i < 0 ? '' : s.slice(i + 1);
  }
  return labels;
}

export const networkCreateCommand: Command = {
  name: 'create',
  usage: 'tsdock network create [OPTIONS] NETWORK',
  summary: 'Create a network',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'network create',
      argv,
      {
        driver: { type: 'string', short: 'd' },
        subnet: { type: 'string', multiple: true },
        gateway: { type: 'string', multiple: true },
        label: { type: 'string', multiple: true },
        opt: { type: 'string', short: 'o', multiple: true },
      },
      { min: 1, max: 1 },
    );
    const driver = (values.driver as string | undefined) ?? 'bridge';
    if (driver !== 'bridge') throw new UsageError(`network driver "${driver}" is not supported: tsdock creates bridge networks`, 'network create');
    if (many(values.opt).length) throw new UsageError('tsdock\'s bridge driver takes no options (-o)', 'network create');
    const subnets = many(values.subnet);
    const gateways = many(values.gateway);
    if (subnets.length > 1) throw new UsageError('tsdock networks have one IPv4 subnet', 'network create');
    if (gateways.length > subnets.length) throw new UsageError('every gateway needs a --subnet it belongs to', 'network create');
    const networks = await (await ctx.engine()).networks();
    try {
      const rec = await networks.create({ name: positionals[0]!, subnet: subnets[0], gateway: gateways[0], labels: parseLabels(many(values.label)) });
      ctx.stdout.write(`${rec.id}\n`);
      return 0;
    } catch (err) {
      ctx.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
      return 1;
    }
  },
};

interface NetworkFilter {
  name: string[];
  id: string[];
  driver: string[];
  label: string[];
  type: string[];
}

function parseNetworkFilters(specs: string[]): NetworkFilter {
  const f: NetworkFilter = { name: [], id: [], driver: [], label: [], type: [] };
  for (const s of specs) {
    const i = s.indexOf('=');
    const key = i < 0 ? s : s.slice(0, i);
    if (!(key in f)) throw new UsageError(`invalid filter '${key}'`, 'network ls');
    f[key as keyof NetworkFilter].push(i < 0 ? '' : s.slice(i + 1));
  }
  return f;
}

function matchesNetworkFilter(n: NetworkRecord, f: NetworkFilter): boolean {
  if (f.name.length && !f.name.some((x) => n.name.includes(x))) return false;
  if (f.id.length && !f.id.some((x) => n.id.startsWith(x))) return false;
  if (f.driver.length && !f.driver.includes(n.driver)) return false;
  if (f.type.length && !f.type.includes(isPredefined(n.name) ? 'builtin' : 'custom')) return false;
  for (const l of f.label) {
    const [k, v] = l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, undefined];
    if (!(k in n.labels) || (v !== undefined && n.labels[k] !== v)) return false;
  }
  return true;
}

export const networkLsCommand: Command = {
  name: 'ls',
  aliases: ['list'],
  usage: 'tsdock network ls [OPTIONS]',
  summary: 'List networks',
  async run(ctx, argv) {
    const { values } = parseCommandArgs(
      'network ls',
      argv,
      {
        quiet: { type: 'boolean', short: 'q' },
        format: { type: 'string' },
        filter: { type: 'string', short: 'f', multiple: true },
        'no-trunc': { type: 'boolean' },
      },
      { max: 0 },
    );
    const filter = parseNetworkFilters(many(values.filter));
    const networks = await (await ctx.engine()).networks();
    const rows = (await networks.list()).filter((n) => matchesNetworkFilter(n, filter));
    const view = rows.map((n) => ({
      ID: n.id,
      Name: n.name,
      Driver: n.driver,
      Scope: 'local',
      IPv6: 'false',
      Internal: 'false',
      Labels: Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(','),
      CreatedAt: goTimeString(n.created, { fraction: true }),
    }));
    ctx.stdout.write(formatList(view, NETWORK_LS_SPEC, { format: values.format as string | undefined, quiet: values.quiet === true, noTrunc: values['no-trunc'] === true }));
    return 0;
  },
};

/** Docker's network fields and headers. */
const NETWORK_LS_SPEC: ListSpec = {
  fields: {
    ID: { header: 'NETWORK ID', truncate: (id) => id.slice(0, 12) },
    Name: { header: 'NAME' },
    Driver: { header: 'DRIVER' },
    Scope: { header: 'SCOPE' },
    IPv6: { header: 'IPV6' },
    Internal: { header: 'INTERNAL' },
    Labels: { header: 'LABELS' },
    CreatedAt: { header: 'CREATED AT' },
  },
  columns: ['ID', 'Name', 'Driver', 'Scope'],
};

export const networkInspectCommand: Command = {
  name: 'inspect',
  usage: 'tsdock network inspect [OPTIONS] NETWORK [NETWORK...]',
  summary: 'Display detailed information on one or more networks',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('network inspect', argv, { format: { type: 'string', short: 'f' } }, { min: 1 });
    const networks = await (await ctx.engine()).networks();
    const print = inspectPrinter(values.format as string | undefined);
    const found: Record<string, unknown>[] = [];
    let status = 0;
    for (const q of positionals) {
      try {
        found.push(await networks.inspect(q));
      } catch (err) {
        if (!isErrorKind(err, 'not-found')) throw err;
        ctx.stderr.write(`Error: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    ctx.stdout.write(print(found));
    return status;
  },
};

export const networkRmCommand: Command = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'tsdock network rm NETWORK [NETWORK...]',
  summary: 'Remove one or more networks',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('network rm', argv, { force: { type: 'boolean', short: 'f' } }, { min: 1 });
    const networks = await (await ctx.engine()).networks();
    let status = 0;
    for (const q of positionals) {
      try {
        await networks.remove(q);
        ctx.stdout.write(`${q}\n`);
      } catch (err) {
        ctx.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};

export const networkPruneCommand: Command = {
  name: 'prune',
  usage: 'tsdock network prune [OPTIONS]',
  summary: 'Remove all unused networks',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('network prune', argv, { force: { type: 'boolean', short: 'f' }, filter: { type: 'string', multiple: true } }, { max: 0 });
    if (many(values.filter).length) throw new UsageError('network prune --filter is not supported', 'network prune');
    if (!values.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] '))) return 0;
    const removed = await (await (await ctx.engine()).networks()).prune();
    if (removed.length) ctx.stdout.write(`Deleted Networks:\n${removed.map((n) => `${n.name}\n`).join('')}`);
    return 0;
  },
};

function connectCommand(name: 'connect' | 'disconnect'): Command {
  return {
    name,
    usage: `tsdock network ${name} [OPTIONS] NETWORK CONTAINER`,
    summary: name === 'connect' ? 'Connect a container to a network' : 'Disconnect a container from a network',
    async run(ctx, argv) {
      const { positionals } = parseCommandArgs(`network ${name}`, argv, name === 'disconnect' ? { force: { type: 'boolean', short: 'f' } } : {}, { min: 2, max: 2 });
      const [network, container] = positionals as [string, string];
      const networks = await (await ctx.engine()).networks();
      try {
        await (name === 'connect' ? networks.connect(network, container) : networks.disconnect(network, container));
        return 0;
      } catch (err) {
        ctx.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
        return 1;
      }
    },
  };
}

export const networkConnectCommand = connectCommand('connect');
export const networkDisconnectCommand = connectCommand('disconnect');

/** `tsdock network <sub>`. */
export const networkSub: Record<string, Command> = {
  create: networkCreateCommand,
  ls: networkLsCommand,
  list: networkLsCommand,
  inspect: networkInspectCommand,
  rm: networkRmCommand,
  remove: networkRmCommand,
  prune: networkPruneCommand,
  connect: networkConnectCommand,
  disconnect: networkDisconnectCommand,
};
