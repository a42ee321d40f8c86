import type { StatsEntry } from '../../core/index.js';

/** Samples kept per container for the sparklines (one a second: the last minute or so). */
export const STATS_HISTORY = 60;

export interface ContainerStatsHistory {
  latest: StatsEntry;
  cpu: number[];
  memory: number[];
}

/** Recent samples by container ID; kept only while the stats view is open. */
export type StatsHistory = Readonly<Record<string, ContainerStatsHistory>>;

/** Adds one round of samples; containers that were not sampled (stopped, removed) drop out. */
export function addStatsSample(history: StatsHistory, entries: readonly StatsEntry[], keep = STATS_HISTORY): StatsHistory {
  const next: Record<string, ContainerStatsHistory> = {};
  for (const e of entries) {
    const prev = history[e.id];
    next[e.id] = {
      latest: e,
      cpu: [...(prev?.cpu ?? []), e.cpuPercent].slice(-keep),
      memory: [...(prev?.memory ?? []), e.memory].slice(-keep),
    };
  }
  return next;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as block characters, scaled to `max` (default: the largest value
 * shown, so a quiet container still shows its shape); older values on the left.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const top = max ?? Math.max(0, ...shown);
  const line = shown.map((v) => (top <= 0 || v <= 0 ? BLOCKS[0] : BLOCKS[Math.min(BLOCKS.length - 1, Math.round((v / top) * (BLOCKS.length - 1)))])).join('');
  return line.padStart(width, ' ');
}
