import { useEffect, useRef, type Dispatch } from 'react';
import type { ContainerRecord } from '../../core/index.js';
import type { Action } from '../state/app-reducer.js';
import type { UiBackend } from './ui-backend.js';

/** docker stats' rate. */
export const STATS_INTERVAL_MS = 1_000;

const isLive = (c: ContainerRecord) => c.state.status === 'running' || c.state.status === 'paused';

/**
 * Samples the running containers' cgroups once a second while `open` (the stats view is
 * shown) and not at all otherwise: the only timer of the stats view. A slow read never overlaps
 * the next one.
 */
export function useStatsSampling(open: boolean, containers: readonly ContainerRecord[], backend: UiBackend, dispatch: Dispatch<Action>): void {
  const listRef = useRef(containers);
  listRef.current = containers;
  useEffect(() => {
    if (!open) return;
    let stopped = false;
    let busy = false;
    let failed = false;
    const sample = () => {
      if (busy || stopped) return;
      busy = true;
      const live = listRef.current.filter(isLive).map((c) => ({ id: c.id, name: c.name, running: true }));
      backend
        .sampleStats(live)
        .then(
          (entries) => {
            failed = false;
            if (!stopped) dispatch({ type: 'statsSampled', entries });
          },
          (err: Error) => {
            // Said once, not every second.
            if (!stopped && !failed) dispatch({ type: 'setStatus', status: { text: `stats: ${err.message}`, level: 'error' } });
            failed = true;
          },
        )
        .finally(() => {
          busy = false;
        });
    };
    sample();
    const timer = setInterval(sample, STATS_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [open, backend, dispatch]);
}
