import type { LayerPhase, PullEvent } from '../../core/index.js';

export interface LayerProgress {
  digest: string;
  phase: LayerPhase;
  /** Bytes downloaded so far and the layer's size (both 0 for a layer already there). */
  current: number;
  total: number;
}

/** One pull the user started, as the pulls strip shows it. */
export interface PullView {
  id: number;
  reference: string;
  status: 'resolving' | 'pulling' | 'done' | 'failed';
  layers: LayerProgress[];
  error?: string;
  /** Done without downloading anything new. */
  upToDate?: boolean;
}

export type PullAction =
  | { type: 'pullStarted'; id: number; reference: string }
  | { type: 'pullProgress'; id: number; events: PullEvent[] }
  | { type: 'pullFinished'; id: number; error?: string }
  | { type: 'pullDismissed'; id: number };

/** The engine's pull events applied in order: byte counts per layer, as reported. */
export function applyPullEvents(pull: PullView, events: readonly PullEvent[]): PullView {
  let layers = pull.layers;
  let status = pull.status;
  let upToDate = pull.upToDate;
  const update = (digest: string, change: Partial<LayerProgress>) => {
    const i = layers.findIndex((l) => l.digest === digest);
    const base: LayerProgress = i >= 0 ? layers[i]! : { digest, phase: 'waiting', current: 0, total: 0 };
    const next = { ...base, ...change };
    layers = i >= 0 ? layers.map((l, j) => (j === i ? next : l)) : [...layers, next];
  };
  for (const e of events) {
    if (e.type === 'resolved') {
      status = 'pulling';
      layers = e.layers.map((l) => layers.find((x) => x.digest === l.digest) ?? { digest: l.digest, phase: 'waiting', current: 0, total: l.size });
    } else if (e.type === 'layer') {
      const total = e.total ?? layers.find((l) => l.digest === e.digest)?.total ?? 0;
      if (e.phase === 'exists') update(e.digest, { phase: 'exists', current: 0, total: 0 });
      else if (e.phase === 'verifying' || e.phase === 'extracting' || e.phase === 'complete') update(e.digest, { phase: e.phase, current: total, total });
      else update(e.digest, { phase: e.phase, current: e.current ?? 0, total });
    } else {
      status = 'done';
      upToDate = !e.downloaded;
    }
  }
  return { ...pull, layers, status, upToDate };
}

export function pullsReducer(pulls: readonly PullView[], action: PullAction): PullView[] {
  switch (action.type) {
    case 'pullStarted':
      return [...pulls, { id: action.id, reference: action.reference, status: 'resolving', layers: [] }];
    case 'pullProgress':
      return pulls.map((p) => (p.id === action.id ? applyPullEvents(p, action.events) : p));
    case 'pullFinished':
      return pulls.map((p) => (p.id === action.id ? (action.error !== undefined ? { ...p, status: 'failed', error: action.error } : { ...p, status: 'done' }) : p));
    case 'pullDismissed':
      return pulls.filter((p) => p.id !== action.id);
  }
}

/** Downloaded and total bytes of the layers that are fetched (not those already there). */
export function pullBytes(pull: PullView): { current: number; total: number } {
  let current = 0;
  let total = 0;
  for (const l of pull.layers) {
    if (l.phase === 'exists') continue;
    current += l.current;
    total += l.total;
  }
  return { current, total };
}

/** Rows the pulls strip takes: a line per pull and one per layer, at most `max` in all. */
export function pullStripRows(pulls: readonly PullView[], max: number): number {
  if (pulls.length === 0) return 0;
  const wanted = pulls.reduce((n, p) => n + 1 + p.layers.length, 0);
  return Math.min(wanted, Math.max(1, max));
}
