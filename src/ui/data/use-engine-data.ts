import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import type { Action } from '../state/app-reducer.js';
import type { UiBackend } from './ui-backend.js';

/** Relative ages ("Up 5 minutes") are re-rendered this often; nothing else is on a timer. */
export const AGE_TICK_MS = 30_000;

/**
 * Loads containers and images into the state, then reloads a list only when the watcher says it
 * changed on disk (no polling loop). Loads never overlap: a change during a load schedules one more.
 * Engine errors land in the status line. Returns a function that reloads both lists at once.
 */
export function useEngineData(backend: UiBackend, dispatch: Dispatch<Action>): (what?: 'containers' | 'images') => void {
  const inFlight = useRef<Record<string, boolean>>({});
  const pending = useRef<Record<string, boolean>>({});
  const alive = useRef(true);

  const load = useCallback(
    (what: 'containers' | 'images') => {
      if (inFlight.current[what]) {
        pending.current[what] = true;
        return;
      }
      inFlight.current[what] = true;
      const task =
        what === 'containers'
          ? backend.listContainers().then((containers) => alive.current && dispatch({ type: 'containersLoaded', containers, now: Date.now() }))
          : backend.listImages().then((images) => alive.current && dispatch({ type: 'imagesLoaded', images, now: Date.now() }));
      task
        .catch((err: Error) => alive.current && dispatch({ type: 'setStatus', status: { text: `loading ${what}: ${err.message}`, level: 'error' } }))
        .finally(() => {
          inFlight.current[what] = false;
          if (pending.current[what] && alive.current) {
            pending.current[what] = false;
            load(what);
          }
        });
    },
    [backend, dispatch],
  );

  useEffect(() => {
    alive.current = true;
    load('containers');
    load('images');
    const stop = backend.watch((what) => load(what));
    const tick = setInterval(() => dispatch({ type: 'tick', now: Date.now() }), AGE_TICK_MS);
    tick.unref?.();
    return () => {
      alive.current = false;
      stop();
      clearInterval(tick);
    };
  }, [backend, dispatch, load]);

  return useCallback(
    (what?: 'containers' | 'images') => {
      if (what) load(what);
      else {
        load('containers');
        load('images');
      }
    },
    [load],
  );
}
