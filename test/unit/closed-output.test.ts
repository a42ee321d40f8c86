import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ClosedOutput, EXIT_CLOSED_OUTPUT } from '../../src/cli/closed-output.js';

/** A stream whose every write fails as a pipe without reader does. */
const brokenPipe = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('ClosedOutput', () => {
  it('exits quietly with 141 when stdout loses its reader', async () => {
    const exits: number[] = [];
    const closed = new ClosedOutput((code) => exits.push(code));
    const out = brokenPipe();
    closed.watch(out);
    out.write('x');
    await nextTurn();
    expect(exits).toEqual([EXIT_CLOSED_OUTPUT]);
    expect(closed.signal.aborted).toBe(true);
  });

  it('under hold: no exit, the work sees the signal and the command ends with 141', async () => {
    const exits: number[] = [];
    const closed = new ClosedOutput((code) => exits.push(code));
    const out = brokenPipe();
    closed.watch(out);
    const code = await closed.hold(async (signal) => {
      out.write('x');
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return 0;
    });
    expect(code).toBe(EXIT_CLOSED_OUTPUT);
    expect(exits).toEqual([]);
  });

  it('a held command whose output stays open keeps its own exit code', async () => {
    const closed = new ClosedOutput(() => {
      throw new Error('must not exit');
    });
    expect(await closed.hold(async () => 3)).toBe(3);
  });
});
