import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { PullProgressPrinter, progressBar } from '../../src/cli/format/pull-progress.js';
import type { Digest } from '../../src/core/oci/digest.js';
import type { PullEvent } from '../../src/core/images/pull-events.js';

// Reference: moby's jsonmessage (JSONProgress.String: "[" + "="*pct + ">" + spaces + "] " then
// "%8v/%v" of units.HumanSize, i.e. 4 significant digits; Display: "<id>: <status> <bar>";
// on a terminal each layer keeps its line, rewritten with ESC[nA / ESC[2K / ESC[nB).
// tsdock draws the bar 50 cells wide inside the brackets.

const A = `sha256:${'a1'.repeat(32)}` as Digest;
const B = `sha256:${'b2'.repeat(32)}` as Digest;
const C = `sha256:${'c3'.repeat(32)}` as Digest;
const IMAGE_ID = `sha256:${'d4'.repeat(32)}` as Digest;

const EMPTY_BAR = `[>${' '.repeat(49)}]`;
const HALF_BAR = `[${'='.repeat(25)}>${' '.repeat(24)}]`;
const FULL_BAR = `[${'='.repeat(50)}]`;

function collector(): { stream: Writable; text: () => Promise<string> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    text: async () => {
      stream.end();
      await finished(stream);
      return chunks.join('');
    },
  };
}

/** A minimal terminal: enough of VT100 to see what the user ends up looking at. */
function screenAfter(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const re = /\x1b\[(\d*)([A-Za-z])|([\s\S])/g;
  for (let m; (m = re.exec(output)); ) {
    if (m[2]) {
      const n = m[1] === '' ? 1 : Number(m[1]);
      if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'B') row += n;
      else if (m[2] === 'K' && n === 2) lines[row] = '';
      else throw new Error(`unexpected escape ${JSON.stringify(m[0])}`);
      while (lines.length <= row) lines.push('');
      continue;
    }
    const ch = m[3]!;
    if (ch === '\n') {
      row++;
      col = 0;
      while (lines.length <= row) lines.push('');
    } else if (ch === '\r') {
      col = 0;
    } else {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  return lines;
}

const layer = (digest: Digest, phase: Extract<PullEvent, { type: 'layer' }>['phase'], current?: number, total?: number): PullEvent => ({
  type: 'layer',
  digest,
  phase,
  ...(current !== undefined && { current }),
  ...(total !== undefined && { total }),
});

describe('progressBar', () => {
  it('at 0% is just the head followed by 49 spaces', () => {
    expect(progressBar(0, 10_000_000)).toBe(`${EMPTY_BAR}       0B/10MB`);
  });

  it('at 50% is 25 "=", the ">" head and 24 spaces', () => {
    expect(progressBar(5_000_000, 10_000_000)).toBe(`${HALF_BAR}      5MB/10MB`);
  });

  it('at 100% is filled with "="', () => {
    expect(progressBar(10_000_000, 10_000_000)).toBe(`${FULL_BAR}     10MB/10MB`);
  });

  it('keeps the 50-cell width between the brackets at every step', () => {
    for (let current = 0; current <= 1000; current += 37) {
      const bar = progressBar(current, 1000);
      expect(bar.indexOf(']')).toBe(51);
      expect(bar.startsWith('[')).toBe(true);
    }
  });

  it('rounds the fill down, as Docker does (int(pct*100)/2)', () => {
    expect(progressBar(4_999_999, 10_000_000).slice(0, 27)).toBe(`[${'='.repeat(24)}> `);
    expect(progressBar(200_000, 10_000_000).slice(0, 4)).toBe('[=> ');
    expect(progressBar(199_999, 10_000_000).slice(0, 3)).toBe('[> ');
  });

  it('prints sizes with 4 significant digits, the current one right-aligned in 8 columns', () => {
    expect(progressBar(1_406_000, 2_811_884)).toBe(`${HALF_BAR}  1.406MB/2.812MB`);
    expect(progressBar(1_500, 2_811_884).endsWith(']    1.5kB/2.812MB')).toBe(true);
    expect(progressBar(1_536, 2_811_884).endsWith(']  1.536kB/2.812MB')).toBe(true);
  });

  it('never overflows when current exceeds total', () => {
    expect(progressBar(12_000_000, 10_000_000).startsWith(FULL_BAR)).toBe(true);
  });

  it('draws an empty bar when the total is unknown', () => {
    expect(progressBar(0, 0)).toBe(`${EMPTY_BAR}       0B/0B`);
  });
});

describe('PullProgressPrinter without a terminal', () => {
  it('prints one plain line per state change and suppresses repeats', async () => {
    const out = collector();
    const printer = new PullProgressPrinter(out.stream, false);
    const events: PullEvent[] = [
      { type: 'resolved', reference: 'docker.io/library/alpine:3.20', manifestDigest: IMAGE_ID, layers: [{ digest: A, size: 100 }, { digest: B, size: 5 }] },
      layer(A, 'waiting'),
      layer(B, 'waiting'),
      layer(A, 'downloading', 0, 100),
      layer(A, 'downloading', 50, 100),
      layer(A, 'downloading', 100, 100),
      layer(A, 'verifying'),
      layer(B, 'exists'),
      layer(A, 'extracting'),
      layer(A, 'extracting'),
      layer(A, 'complete'),
      { type: 'done', reference: 'docker.io/library/alpine:3.20', manifestDigest: IMAGE_ID, imageId: IMAGE_ID, downloaded: true },
    ];
    events.forEach(printer.handle);
    const text = await out.text();
    expect(text).toBe(
      [
        'a1a1a1a1a1a1: Pulling fs layer',
        'b2b2b2b2b2b2: Pulling fs layer',
        'a1a1a1a1a1a1: Verifying Checksum',
        'b2b2b2b2b2b2: Already exists',
        'a1a1a1a1a1a1: Extracting',
        'a1a1a1a1a1a1: Pull complete',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('\x1b');
    expect(text).not.toContain('\r');
  });

  it('prints nothing for the resolved and done events', async () => {
    const out = collector();
    const printer = new PullProgressPrinter(out.stream, false);
    printer.handle({ type: 'resolved', reference: 'r', manifestDigest: IMAGE_ID, layers: [] });
    printer.handle({ type: 'done', reference: 'r', manifestDigest: IMAGE_ID, imageId: IMAGE_ID, downloaded: false });
    expect(await out.text()).toBe('');
  });
});

describe('PullProgressPrinter on a terminal', () => {
  it('gives each new layer a line of its own, then rewrites it in place', async () => {
    const out = collector();
    const printer = new PullProgressPrinter(out.stream, true);
    printer.handle(layer(A, 'waiting'));
    printer.handle(layer(B, 'waiting'));
    printer.handle(layer(A, 'downloading', 5_000_000, 10_000_000));
    printer.handle(layer(B, 'downloading', 0, 10_000_000));
    printer.handle(layer(A, 'complete'));
    expect(await out.text()).toBe(
      'a1a1a1a1a1a1: Pulling fs layer\n' +
        'b2b2b2b2b2b2: Pulling fs layer\n' +
        `\x1b[2A\r\x1b[2Ka1a1a1a1a1a1: Downloading ${HALF_BAR}      5MB/10MB\r\x1b[2B` +
        `\x1b[1A\r\x1b[2Kb2b2b2b2b2b2: Downloading ${EMPTY_BAR}       0B/10MB\r\x1b[1B` +
        '\x1b[2A\r\x1b[2Ka1a1a1a1a1a1: Pull complete\r\x1b[2B',
    );
  });

  it('moves up further for older lines once more layers appear', async () => {
    const out = collector();
    const printer = new PullProgressPrinter(out.stream, true);
    printer.handle(layer(A, 'waiting'));
    printer.handle(layer(B, 'waiting'));
    printer.handle(layer(C, 'exists'));
    printer.handle(layer(A, 'verifying'));
    printer.handle(layer(C, 'complete'));
    expect(await out.text()).toBe(
      'a1a1a1a1a1a1: Pulling fs layer\n' +
        'b2b2b2b2b2b2: Pulling fs layer\n' +
        'c3c3c3c3c3c3: Already exists\n' +
        '\x1b[3A\r\x1b[2Ka1a1a1a1a1a1: Verifying Checksum\r\x1b[3B' +
        '\x1b[1A\r\x1b[2Kc3c3c3c3c3c3: Pull complete\r\x1b[1B',
    );
  });

  it('leaves the screen showing the latest state of every layer, cursor below them', async () => {
    const out = collector();
    const printer = new PullProgressPrinter(out.stream, true);
    printer.handle(layer(A, 'waiting'));
    printer.handle(layer(B, 'waiting'));
    printer.handle(layer(C, 'waiting'));
    printer.handle(layer(B, 'downloading', 10_000_000, 10_000_000));
    printer.handle(layer(A, 'downloading', 5_000_000, 10_000_000));
    printer.handle(layer(B, 'extracting'));
    printer.handle(layer(B, 'complete'));
    printer.handle(layer(C, 'exists'));
    const screen = screenAfter(await out.text());
    expect(screen).toEqual([
      `a1a1a1a1a1a1: Downloading ${HALF_BAR}      5MB/10MB`,
      'b2b2b2b2b2b2: Pull complete',
      'c3c3c3c3c3c3: Already exists',
      '',
    ]);
  });
});
