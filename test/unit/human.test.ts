import { describe, expect, it } from 'vitest';
import { createdSince, humanDuration, humanSize } from '../../src/core/format/human.js';

// Reference: docker/go-units size.go (HumanSizeWithPrecision: decimal units, "%.*g") and
// duration.go (HumanDuration), with the values of their own tests.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

describe('humanSize (default precision 3, as docker images / history use)', () => {
  it.each<[number, string]>([
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1024, '1.02kB'],
    [1536, '1.54kB'],
    [4261234, '4.26MB'],
    [5_570_000, '5.57MB'],
    [1_000_000, '1MB'],
    [2_000_000_000, '2GB'],
    [3.42e12, '3.42TB'],
    [2.22e15, '2.22PB'],
  ])('%d bytes -> %s', (bytes, expected) => {
    expect(humanSize(bytes)).toBe(expected);
  });

  it('uses decimal (1000-based) units, never 1024-based ones', () => {
    expect(humanSize(1_048_576)).toBe('1.05MB');
    expect(humanSize(1_073_741_824)).toBe('1.07GB');
  });

  it('keeps a value that rounds up to 1000 in the smaller unit without scientific notation', () => {
    // Go's %g would print "1e+03MB" here (docker/cli#3091, an acknowledged display bug);
    // the fix proposed upstream prints "1000MB".
    expect(humanSize(999_517_084)).toBe('1000MB');
  });
});

describe('humanSize with precision 4 (units.HumanSize, used by progress bars)', () => {
  it.each<[number, string]>([
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1_000_000, '1MB'],
    [1_048_576, '1.049MB'],
    [2_000_000, '2MB'],
    [3.42e9, '3.42GB'],
    [5.372e12, '5.372TB'],
    [2.22e15, '2.22PB'],
    [2_811_884, '2.812MB'],
  ])('%d bytes -> %s', (bytes, expected) => {
    expect(humanSize(bytes, 4)).toBe(expected);
  });
});

describe('humanDuration', () => {
  it.each<[number, string]>([
    [0, 'Less than a second'],
    [450, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * SECOND, '1 second'],
    [1 * SECOND + 999, '1 second'],
    [2 * SECOND, '2 seconds'],
    [45 * SECOND, '45 seconds'],
    [47 * SECOND, '47 seconds'],
    [59 * SECOND, '59 seconds'],
    [59 * SECOND + 999, '59 seconds'],
    [60 * SECOND, 'About a minute'],
    [MINUTE + 59 * SECOND, 'About a minute'],
    [2 * MINUTE, '2 minutes'],
    [3 * MINUTE, '3 minutes'],
    [35 * MINUTE + 40 * SECOND, '35 minutes'],
    [45 * MINUTE, '45 minutes'],
    [45 * MINUTE + 40 * SECOND, '45 minutes'],
    [59 * MINUTE + 59 * SECOND, '59 minutes'],
    [1 * HOUR, 'About an hour'],
    [1 * HOUR + 29 * MINUTE, 'About an hour'],
    [1 * HOUR + 31 * MINUTE, '2 hours'],
    [1 * HOUR + 59 * MINUTE, '2 hours'],
    [3 * HOUR + 29 * MINUTE, '3 hours'],
    [3 * HOUR + 31 * MINUTE, '4 hours'],
    [24 * HOUR, '24 hours'],
    [DAY + 12 * HOUR, '36 hours'],
    [47 * HOUR, '47 hours'],
    [2 * DAY, '2 days'],
    [7 * DAY, '7 days'],
    [13 * DAY + 5 * HOUR, '13 days'],
    [2 * WEEK, '2 weeks'],
    [2 * WEEK + 4 * DAY, '2 weeks'],
    [3 * WEEK, '3 weeks'],
    [4 * WEEK + 3 * DAY, '4 weeks'],
    [1 * MONTH, '4 weeks'],
    [MONTH + 2 * WEEK, '6 weeks'],
    [2 * MONTH, '2 months'],
    [3 * MONTH + 1 * WEEK, '3 months'],
    [5 * MONTH + 2 * WEEK, '5 months'],
    [13 * MONTH, '13 months'],
    [23 * MONTH, '23 months'],
    [24 * MONTH, '24 months'],
    [24 * MONTH + 2 * WEEK, '2 years'],
    [3 * YEAR + 2 * MONTH, '3 years'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });

  it('counts whole elapsed years (truncated hours), not rounded ones', () => {
    // go-units: int(d.Hours())/24/365, so 20 minutes short of 3 years is still "2 years".
    expect(humanDuration(3 * YEAR - 20 * MINUTE)).toBe('2 years');
    expect(humanDuration(3 * YEAR)).toBe('3 years');
  });
});

describe('createdSince', () => {
  const now = Date.parse('2024-06-15T12:00:00Z');

  it('appends " ago" to the duration since the timestamp', () => {
    expect(createdSince('2024-06-15T11:59:30Z', now)).toBe('30 seconds ago');
    expect(createdSince('2024-06-15T11:59:00Z', now)).toBe('About a minute ago');
    expect(createdSince('2024-06-15T11:00:00Z', now)).toBe('About an hour ago');
    expect(createdSince('2024-06-13T12:00:00Z', now)).toBe('2 days ago');
    expect(createdSince('2024-05-01T12:00:00Z', now)).toBe('6 weeks ago');
    expect(createdSince('2021-06-15T12:00:00Z', now)).toBe('3 years ago');
  });

  it('accepts RFC 3339 timestamps with fractional seconds and offsets', () => {
    expect(createdSince('2024-06-15T11:55:00.123456789Z', now)).toBe('4 minutes ago');
    expect(createdSince('2024-06-15T13:50:00+02:00', now)).toBe('10 minutes ago');
  });

  it('treats a timestamp in the future as just created', () => {
    expect(createdSince('2024-06-15T12:05:00Z', now)).toBe('Less than a second ago');
  });

  it('prints N/A for Go zero time, a missing value and an unparsable one', () => {
    expect(createdSince('0001-01-01T00:00:00Z', now)).toBe('N/A');
    expect(createdSince(undefined, now)).toBe('N/A');
    expect(createdSince('', now)).toBe('N/A');
    expect(createdSince('not a date', now)).toBe('N/A');
  });
});
