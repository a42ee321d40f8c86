import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PushProgressPrinter } from '../../src/cli/format/push-progress.js';
import type { Digest } from '../../src/core/oci/digest.js';
import type { PushEvent } from '../../src/core/images/push-events.js';

// Reference: moby's distribution/push_v2.go (progress.Update with "Preparing", "Waiting",
// "Pushing" + bytes, "Pushed", "Layer already exists", "Mounted from <repo>"; ids are the
// truncated diffIDs) and the final "<tag>: digest: <digest> size: <n>" line.

const A = `sha256:${'a1'.repeat(32)}` as Digest;
const B = `sha256:${'b2'.repeat(32)}` as Digest;
const M = `sha256:${'d4'.repeat(32)}` as Digest;

function collect(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const layer = (diffId: Digest, phase: Extract<PushEvent, { type: 'layer' }>['phase'], extra: Partial<Extract<PushEvent, { type: 'layer' }>> = {}): PushEvent => ({ type: 'layer', diffId, phase, ...extra });
const done: PushEvent = { type: 'done', reference: 'reg:5000/app:v1', tag: 'v1', digest: M, size: 527 };

describe('PushProgressPrinter without a terminal', () => {
  it('prints each state change once, no byte progress, then the digest line', () => {
    const out = collect();
    const p = new PushProgressPrinter(out.stream, false);
    [
      layer(A, 'preparing'),
      layer(B, 'preparing'),
      layer(B, 'waiting'),
      layer(A, 'pushing', { current: 0, total: 100 }),
      layer(A, 'pushing', { current: 100, total: 100 }),
      layer(A, 'pushed'),
      layer(B, 'mounted', { from: 'library/busybox' }),
      done,
    ].forEach(p.handle);
    expect(out.text()).toBe(
      [
        'a1a1a1a1a1a1: Preparing',
        'b2b2b2b2b2b2: Preparing',
        'b2b2b2b2b2b2: Waiting',
        'a1a1a1a1a1a1: Pushed',
        'b2b2b2b2b2b2: Mounted from library/busybox',
        `v1: digest: ${M} size: 527`,
        '',
      ].join('\n'),
    );
  });

  it('says "Layer already exists" for a blob the repository has', () => {
    const out = collect();
    const p = new PushProgressPrinter(out.stream, false);
    p.handle(layer(A, 'preparing'));
    p.handle(layer(A, 'exists'));
    expect(out.text()).toBe('a1a1a1a1a1a1: Preparing\na1a1a1a1a1a1: Layer already exists\n');
  });
});

describe('PushProgressPrinter on a terminal', () => {
  it('keeps one line per layer and draws the bar while pushing', () => {
    const out = collect();
    const p = new PushProgressPrinter(out.stream, true);
    p.handle(layer(A, 'preparing'));
    p.handle(layer(B, 'preparing'));
    p.handle(layer(A, 'pushing', { current: 5_000_000, total: 10_000_000 }));
    p.handle(layer(B, 'exists'));
    p.handle(done);
    expect(out.text()).toBe(
      'a1a1a1a1a1a1: Preparing\n' +
        'b2b2b2b2b2b2: Preparing\n' +
        `\x1b[2A\r\x1b[2Ka1a1a1a1a1a1: Pushing [${'='.repeat(25)}>${' '.repeat(24)}]      5MB/10MB\r\x1b[2B` +
        '\x1b[1A\r\x1b[2Kb2b2b2b2b2b2: Layer already exists\r\x1b[1B' +
        `v1: digest: ${M} size: 527\n`,
    );
  });
});
