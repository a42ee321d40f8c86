import { describe, expect, it } from 'vitest';
import {
  InvalidLogTimeError,
  LogLineSplitter,
  formatLogRecord,
  joinPartials,
  parseLog,
  parseLogLine,
  parseSince,
  selectLogs,
  type LogRecord,
} from '../../src/core/runtime/container-logs.js';

// References: conmon's k8s-file writer (ctr_logging.c: "<RFC3339Nano> <stream> <F|P> <text>"),
// moby daemon/logs.go + loggerutils (tail first, then since/until), docker CLI
// timestamp.GetTimestamp (--since/--until forms) and RFC3339NanoFixed for -t.

const BASE = Date.UTC(2024, 0, 2, 3, 4, 5); // 2024-01-02T03:04:05Z

describe('parseLogLine', () => {
  it('reads a full stdout line', () => {
    expect(parseLogLine('2024-01-02T03:04:05.123456789Z stdout F hello world')).toEqual({
      time: '2024-01-02T03:04:05.123456789Z',
      timeMs: BASE + 123.456789,
      stream: 'stdout',
      partial: false,
      content: 'hello world',
    });
  });

  it('reads a partial stderr line and applies the zone offset', () => {
    const r = parseLogLine('2024-01-02T04:04:05.000000001+01:00 stderr P part')!;
    expect(r.stream).toBe('stderr');
    expect(r.partial).toBe(true);
    expect(r.content).toBe('part');
    expect(r.timeMs).toBe(BASE + 0.000001);
    expect(parseLogLine('2024-01-01T21:34:05-05:30 stdout F x')!.timeMs).toBe(BASE);
  });

  it('keeps the content exactly, spaces and all', () => {
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F   indented  text ')!.content).toBe('  indented  text ');
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F a\tb')!.content).toBe('a\tb');
  });

  it('reads an empty line, with or without the space after the tag', () => {
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F ')!.content).toBe('');
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F')!.content).toBe('');
  });

  it('drops a trailing newline', () => {
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F hi\n')!.content).toBe('hi');
  });

  it('accepts any fraction length', () => {
    expect(parseLogLine('2024-01-02T03:04:05.5Z stdout F x')!.timeMs).toBe(BASE + 500);
    expect(parseLogLine('2024-01-02T03:04:05Z stdout F x')!.timeMs).toBe(BASE);
  });

  it.each([
    '',
    'hello',
    '2024-01-02T03:04:05Z stdout',
    '2024-01-02T03:04:05Z stdin F x',
    '2024-01-02T03:04:05Z stdout X x',
    '2024-01-02T03:04:05 stdout F no zone',
    '2024-13-02T03:04:05Z stdout F bad month',
    '2024-02-30T03:04:05Z stdout F bad day',
    '2024-01-02T24:00:00Z stdout F bad hour',
    '2024-01-02T03:04:05.1234567890Z stdout F ten fraction digits',
    'yesterday stdout F x',
  ])('rejects %j', (line) => {
    expect(parseLogLine(line)).toBeUndefined();
  });

  it('accepts CRI colon-separated tags', () => {
    expect(parseLogLine('2024-01-02T03:04:05Z stdout P:F x')!.partial).toBe(true);
  });
});

describe('parseLog', () => {
  it('parses every record and skips a torn or empty line', () => {
    const text = [
      '2024-01-02T03:04:05Z stdout F one',
      '2024-01-02T03:04:06Z stderr F two',
      '2024-01-02T03:04:0',
    ].join('\n');
    expect(parseLog(text).map((r) => r.content)).toEqual(['one', 'two']);
    expect(parseLog('')).toEqual([]);
  });
});

function r(sec: number, content: string, over: Partial<LogRecord> = {}): LogRecord {
  const time = new Date(BASE + sec * 1000).toISOString().replace('.000Z', 'Z');
  return { time, timeMs: BASE + sec * 1000, stream: 'stdout', partial: false, content, ...over };
}

describe('joinPartials', () => {
  it('joins fragments into whole lines, keeping the first fragment time', () => {
    const out = joinPartials([r(0, 'hel', { partial: true }), r(1, 'lo', { partial: true }), r(2, ' world'), r(3, 'next')]);
    expect(out).toEqual([r(0, 'hello world'), r(3, 'next')]);
  });

  it('joins each stream separately when they interleave', () => {
    const out = joinPartials([
      r(0, 'out-a', { partial: true }),
      r(1, 'err-a', { stream: 'stderr', partial: true }),
      r(2, 'err-b', { stream: 'stderr' }),
      r(3, 'out-b'),
    ]);
    expect(out.map((x) => [x.stream, x.content, x.timeMs - BASE])).toEqual([
      ['stdout', 'out-aout-b', 0],
      ['stderr', 'err-aerr-b', 1000],
    ]);
  });

  it('keeps an unterminated tail as one partial record', () => {
    const out = joinPartials([r(0, 'done'), r(1, 'no ', { partial: true }), r(2, 'newline', { partial: true })]);
    expect(out).toEqual([r(0, 'done'), r(1, 'no newline', { partial: true })]);
  });

  it('does not modify its input', () => {
    const input = [r(0, 'a', { partial: true }), r(1, 'b')];
    joinPartials(input);
    expect(input).toEqual([r(0, 'a', { partial: true }), r(1, 'b')]);
  });
});

describe('selectLogs', () => {
  const recs = [0, 1, 2, 3, 4, 5].map((s) => r(s, `line${s}`));
  const contents = (x: LogRecord[]): string[] => x.map((y) => y.content);

  it('keeps everything by default', () => {
    expect(selectLogs(recs)).toHaveLength(6);
    expect(selectLogs(recs, { tail: 'all' })).toHaveLength(6);
    expect(selectLogs(recs, { tail: -1 })).toHaveLength(6);
  });

  it('tail keeps the last N; 0 keeps none', () => {
    expect(contents(selectLogs(recs, { tail: 2 }))).toEqual(['line4', 'line5']);
    expect(selectLogs(recs, { tail: 0 })).toEqual([]);
    expect(selectLogs(recs, { tail: 100 })).toHaveLength(6);
  });

  it('since keeps records at or after it', () => {
    expect(contents(selectLogs(recs, { since: BASE + 4000 }))).toEqual(['line4', 'line5']);
    expect(contents(selectLogs(recs, { since: BASE + 3500 }))).toEqual(['line4', 'line5']);
    expect(selectLogs(recs, { since: BASE + 9000 })).toEqual([]);
  });

  it('until drops records after it', () => {
    expect(contents(selectLogs(recs, { until: BASE + 1000 }))).toEqual(['line0', 'line1']);
  });

  it('applies tail before since and until, as Docker does', () => {
    expect(contents(selectLogs(recs, { tail: 3, since: BASE + 1000 }))).toEqual(['line3', 'line4', 'line5']);
    expect(contents(selectLogs(recs, { tail: 3, until: BASE + 3000 }))).toEqual(['line3']);
    expect(contents(selectLogs(recs, { since: BASE + 1000, until: BASE + 2000 }))).toEqual(['line1', 'line2']);
  });

  it('stops checking since after the first record that passes it', () => {
    const skewed = [r(0, 'a'), r(5, 'b'), r(3, 'c'), r(6, 'd')];
    expect(contents(selectLogs(skewed, { since: BASE + 4000 }))).toEqual(['b', 'c', 'd']);
  });
});

describe('formatLogRecord', () => {
  const rec = parseLogLine('2024-01-02T04:04:05.1234Z stdout F hello')!;

  it('prints the content and its newline', () => {
    expect(formatLogRecord(rec, { timestamps: false })).toBe('hello\n');
  });

  it('prefixes a UTC time with nine fraction digits with -t', () => {
    expect(formatLogRecord(rec, { timestamps: true })).toBe('2024-01-02T04:04:05.123400000Z hello\n');
    const offset = parseLogLine('2024-01-02T04:04:05.123456789+01:00 stderr F x')!;
    expect(formatLogRecord(offset, { timestamps: true })).toBe('2024-01-02T03:04:05.123456789Z x\n');
    const whole = parseLogLine('2024-01-02T03:04:05-02:00 stdout F y')!;
    expect(formatLogRecord(whole, { timestamps: true })).toBe('2024-01-02T05:04:05.000000000Z y\n');
  });

  it('ends a partial record without a newline', () => {
    const p = { ...rec, partial: true };
    expect(formatLogRecord(p, { timestamps: false })).toBe('hello');
  });

  it('falls back to timeMs when the time text is not RFC 3339', () => {
    const odd: LogRecord = { time: 'n/a', timeMs: BASE + 250, stream: 'stdout', partial: false, content: 'z' };
    expect(formatLogRecord(odd, { timestamps: true })).toBe('2024-01-02T03:04:05.250000000Z z\n');
  });
});

describe('parseSince', () => {
  const NOW = BASE + 789; // not on a whole second

  it.each<[string, number]>([
    ['42s', 42_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2h45m30s', 9_930_000],
    ['1500ms', 1_500],
    ['0s', 0],
  ])('a duration %s counts back from now, to whole seconds', (s, back) => {
    expect(parseSince(s, NOW)).toBe(Math.floor((NOW - back) / 1000) * 1000);
  });

  it('a negative duration points into the future', () => {
    expect(parseSince('-1m', BASE)).toBe(BASE + 60_000);
  });

  it.each<[string, number]>([
    ['2024-01-02T03:04:05Z', BASE],
    ['2024-01-02T03:04:05.5Z', BASE + 500],
    ['2024-01-02T03:04:05.123456789Z', BASE + 123.456789],
    ['2024-01-02T04:04:05+01:00', BASE],
    ['2024-01-01T22:04:05-05:00', BASE],
    ['2024-01-02T03:04Z', BASE - 5000],
    ['2024-01-02T03Z', BASE - 245_000],
    ['2024-01-02Z', Date.UTC(2024, 0, 2)],
    ['2024-01-02+02:00', Date.UTC(2024, 0, 1, 22)],
  ])('an RFC 3339 time with a zone: %s', (s, ms) => {
    expect(parseSince(s, NOW)).toBe(ms);
  });

  it.each<[string, number]>([
    ['2024-01-02T03:04:05', new Date(2024, 0, 2, 3, 4, 5).getTime()],
    ['2024-01-02T03:04:05.25', new Date(2024, 0, 2, 3, 4, 5, 250).getTime()],
    ['2024-01-02T03:04', new Date(2024, 0, 2, 3, 4).getTime()],
    ['2024-01-02T03', new Date(2024, 0, 2, 3).getTime()],
    ['2024-01-02', new Date(2024, 0, 2).getTime()],
  ])('a time without a zone is local: %s', (s, ms) => {
    expect(parseSince(s, NOW)).toBe(ms);
  });

  it('reads a zoneless time in the local zone of this machine', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata'; // +05:30 all year
    try {
      expect(parseSince('2024-01-02T08:34:05', NOW)).toBe(BASE);
      expect(parseSince('2024-01-02', NOW)).toBe(Date.UTC(2024, 0, 1, 18, 30));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it.each<[string, number]>([
    ['1700000000', 1_700_000_000_000],
    ['10', 10_000],
    ['1700000000.5', 1_700_000_000_500],
    ['1700000000.000000001', 1_700_000_000_000 + 0.000001],
    ['0', 0],
  ])('a Unix timestamp: %s', (s, ms) => {
    expect(parseSince(s, NOW)).toBe(ms);
  });

  it.each(['', 'yesterday', '1x', '2024-13-01', '2024-02-30T00:00:00Z', '2024-01-02T03:04:05.', '-5', '1.2.3', '10 m', '2024-01-02T25:00Z'])(
    'rejects %j',
    (s) => {
      expect(() => parseSince(s, NOW)).toThrow(InvalidLogTimeError);
    },
  );

  it('explains the accepted forms', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      'failed to parse value as time or duration: "yesterday": use a duration (42s, 10m, 1h30m), ' +
        'an RFC 3339 time (2024-01-02T15:04:05Z) or a Unix timestamp (1700000000.5)',
    );
  });
});

describe('LogLineSplitter', () => {
  it('returns complete lines and holds the rest', () => {
    const s = new LogLineSplitter();
    expect(s.feed('a\nb')).toEqual(['a']);
    expect(s.pendingBytes).toBe(1);
    expect(s.feed('c\nd\n')).toEqual(['bc', 'd']);
    expect(s.pendingBytes).toBe(0);
    expect(s.flush()).toBeUndefined();
  });

  it('joins a line split over many chunks', () => {
    const s = new LogLineSplitter();
    expect(s.feed('2024-01-02T03:04:05Z ')).toEqual([]);
    expect(s.feed(Buffer.from('stdout F '))).toEqual([]);
    expect(s.feed('hi\n')).toEqual(['2024-01-02T03:04:05Z stdout F hi']);
  });

  it('keeps a UTF-8 character split between chunks whole', () => {
    const bytes = Buffer.from('héllo ✓\n', 'utf8');
    const s = new LogLineSplitter();
    const cut = bytes.indexOf(0xa9); // second byte of é
    expect(s.feed(bytes.subarray(0, cut))).toEqual([]);
    expect(s.feed(bytes.subarray(cut, cut + 7))).toEqual([]);
    expect(s.feed(bytes.subarray(cut + 7))).toEqual(['héllo ✓']);
  });

  it('returns empty lines', () => {
    expect(new LogLineSplitter().feed('\n\nx\n')).toEqual(['', '', 'x']);
  });

  it('is not fooled by the caller reusing its buffer', () => {
    const s = new LogLineSplitter();
    const buf = Buffer.from('abc');
    s.feed(buf);
    buf.write('xyz');
    expect(s.feed('\n')).toEqual(['abc']);
  });

  it('flush hands back the unterminated rest once', () => {
    const s = new LogLineSplitter();
    s.feed('x\ntail');
    expect(s.flush()).toBe('tail');
    expect(s.flush()).toBeUndefined();
    expect(s.pendingBytes).toBe(0);
  });

  it('reads a followed file: feed, parse, join', () => {
    const s = new LogLineSplitter();
    const lines = [
      ...s.feed('2024-01-02T03:04:05Z stdout P a very lo'),
      ...s.feed('ng \n2024-01-02T03:04:06Z std'),
      ...s.feed('out F line\n'),
    ];
    const recs = lines.map((l) => parseLogLine(l)!);
    expect(joinPartials(recs).map((x) => formatLogRecord(x, { timestamps: false })).join('')).toBe('a very long line\n');
  });
});
