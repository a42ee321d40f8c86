import { useEffect, useLayoutEffect, useRef } from 'react';
import { useStdin } from 'ink';

/**
 * Raw key input, one key (or one run of typed text) per call, as Ink's input parser splits it.
 * Unlike useInput this keeps the bytes, which a shell pane must forward unchanged (function
 * keys, ctrl keys, escape sequences), and which parseKey names for the keymap.
 */
export function useKeys(handler: (raw: string) => void, opts: { isActive?: boolean } = {}): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  const active = opts.isActive !== false;
  // The latest handler, without re-subscribing on every render.
  const ref = useRef(handler);
  ref.current = handler;

  useEffect(() => {
    if (!active || !isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [active, isRawModeSupported, setRawMode]);

  // A layout effect: subscribed within the commit that shows the view, so a key typed right
  // after the frame appears is never lost.
  useLayoutEffect(() => {
    if (!active) return;
    const listener = (raw: string) => ref.current(raw);
    events.on('input', listener);
    return () => {
      events.removeListener('input', listener);
    };
  }, [active, events]);
}
