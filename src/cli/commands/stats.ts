import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { renderTable } from '../format/table.js';
import { compileTemplate } from '../format/go-template.js';
import { STATS_HEADER, statsView, type StatsView, type ContainerRecord } from '../../core/index.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** Docker clears the screen and homes the cursor before each frame of a streamed stats. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

const isLive = (r: ContainerRecord) => r.state.status === 'running' || r.state.status === 'paused';

export const statsCommand: Command = {
  name: 'stats',
  usage: 'tsdock stats [OPTIONS] [CONTAINER...]',
  summary: 'Display a live stream of container(s) resource usage statistics',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('stats', argv, {
      all: { type: 'boolean', short: 'a' },
      'no-stream': { type: 'boolean' },
      'no-trunc': { type: 'boolean' },
      format: { type: 'string' },
    });
    const noTrunc = values['no-trunc'] === true;
    const format = typeof values.format === 'string' && values.format !== '' ? (values.format === 'json' ? '{{json .}}' : values.format === 'table' ? DEFAULT_FORMAT : values.format) : DEFAULT_FORMAT;
    const tpl = compileTemplate(format);
    const containers = await (await ctx.engine()).containers();

    // Named containers are resolved once (an unknown one is an error, as Docker's); without
    // names, every running container (all with -a) is shown, re-listed on every frame.
    const named = positionals.length > 0;
    if (named) for (const q of positionals) await containers.find(q);
    const targets = async (): Promise<{ rec: ContainerRecord; as?: string }[]> => {
      if (named) return Promise.all(positionals.map(async (q) => ({ rec: await containers.find(q), as: q })));
      const all = (await containers.list()).sort((a, b) => b.created.localeCompare(a.created));
      return all.filter((r) => values.all === true || isLive(r)).map((rec) => ({ rec }));
    };

    const sampler = containers.statsSampler();
    const frame = async (list: { rec: ContainerRecord; as?: string }[]): Promise<string> => {
      const rows = await sampler.sample(list.map(({ rec }) => ({ id: rec.id, name: rec.name, running: isLive(rec) })));
      const views: StatsView[] = rows.map((e, i) => statsView(e, { noTrunc, container: list[i]!.as }));
      const lines = views.map((v) => tpl.render(v));
      if (!tpl.isTable) return lines.map((l) => `${l}\n`).join('');
      return renderTable([tpl.render(STATS_HEADER), ...lines].map((l) => l.split('\t')));
    };

    // The first frame needs two readings a second apart for the CPU share.
    let list = await targets();
    await sampler.sample(list.map(({ rec }) => ({ id: rec.id, name: rec.name, running: isLive(rec) })));
    let stop = false;
    const ac = new AbortController();
    const onSigint = () => {
      stop = true;
      ac.abort();
    };
    process.once('SIGINT', onSigint);
    try {
      // ^C aborts the sleep: that is how the loop ends, not an error.
      await sleep(1000, undefined, { signal: ac.signal }).catch(() => {});
      if (values['no-stream']) {
        ctx.stdout.write(await frame(list));
        return 0;
      }
      while (!stop) {
        ctx.stdout.write(CLEAR_SCREEN + (await frame(list)));
        await sleep(1000, undefined, { signal: ac.signal }).catch(() => {});
        // A container removed meanwhile fails the lookup: keep the last list; the next frame shows it gone.
        if (!stop) list = await targets().catch(() => list);
      }
      return 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
