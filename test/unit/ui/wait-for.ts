// Render tests wait for the frame they expect instead of sleeping a fixed time.
import { expect } from 'vitest';

export async function waitForFrame(lastFrame: () => string | undefined, match: string | RegExp | ((frame: string) => boolean), timeoutMs = 3000): Promise<string> {
  const test = typeof match === 'function' ? match : (f: string) => (typeof match === 'string' ? f.includes(match) : match.test(f));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (test(frame)) return frame;
    if (Date.now() > deadline) {
      expect.fail(`no frame matched ${String(match)} within ${timeoutMs} ms; last frame:\n${frame}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending effects and microtasks run (e.g. after typing a key). */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
