import { TsdockError } from '../errors.js';
/**
 * Container logs in conmon's k8s-file format (the CRI logging format), one record a line:
 *
 *     2024-01-02T03:04:05.123456789+01:00 stdout F hello world
 *
 * `F` ends a line; `P` is a fragment continued by the stream's next record (conmon splits long
 * lines and writes output that has no newline yet as P). Selection follows `docker logs`:
 * --tail first, then --since / --until.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** The timestamp exactly as written (conmon writes local time with an offset). */
  time: string;
  /** Milliseconds since the epoch; sub-millisecond digits are kept as a fraction. */
  timeMs: number;
  stream: LogStream;
  /** A fragment whose line continues in a later record (or never ended). */
  partial: boolean;
  content: string;
}

export interface LogSelection {
  /** Keep only the last N records; 'all', undefined or a negative number keep every one. */
  tail?: number | 'all';
  /** ms epoch: drop records before it. */
  since?: number;
  /** ms epoch: drop records after it. */
  until?: number;
}

export class InvalidLogTimeError extends TsdockError {
  override readonly name = 'InvalidLogTimeError';
  constructor(
    readonly input: string,
    detail?: string,
  ) {
    super(
      'invalid-argument',
      `failed to parse value as time or duration: ${JSON.stringify(input)}${detail ? ` (${detail})` : ''}: ` +
        'use a duration (42s, 10m, 1h30m), an RFC 3339 time (2024-01-02T15:04:05Z) or a Unix timestamp (1700000000.5)',
    );
  }
}

interface ParsedTime {
  /** Whole seconds since the epoch, UTC. */
  seconds: number;
  /** The fraction of a second, as nanoseconds. */
  nanos: number;
}

// RFC 3339 with an optional fraction of up to nine digits and a mandatory zone.
const LOG_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

function parseLogTime(s: string): ParsedTime | undefined {
  const m = LOG_TIME.exec(s);
  if (!m) return undefined;
  const offset = zoneOffsetMinutes(m[8]!);
  const seconds = civilSeconds(m, offset);
  if (seconds === undefined) return undefined;
  return { seconds, nanos: fractionNanos(m[7]) };
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

function fractionNanos(digits: string | undefined): number {
  return digits ? Number(digits.padEnd(9, '0').slice(0, 9)) : 0;
}

/**
 * Seconds since the epoch of the civil date-time in groups 1–6 of `m` (missing hour, minute or
 * second count as 0) at `offsetMinutes` east of UTC; undefined when a field is out of range.
 */
function civilSeconds(m: RegExpExecArray, offsetMinutes: number): number | undefined {
  const n = (i: number): number => Number(m[i] ?? '0');
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const toMs = (t: ParsedTime): number => t.seconds * 1000 + t.nanos / 1e6;

/** One k8s-file line (without or with its newline); undefined when it is not a log record. */
export function parseLogLine(line: string): LogRecord | undefined {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  const s1 = text.indexOf(' ');
  const s2 = text.indexOf(' ', s1 + 1);
  if (s1 < 0 || s2 < 0) return undefined;
  const s3 = text.indexOf(' ', s2 + 1);
  const time = text.slice(0, s1);
  const stream = text.slice(s1 + 1, s2);
  // conmon always writes the space after the tag; tolerate its absence on an empty line.
  const tags = s3 < 0 ? text.slice(s2 + 1) : text.slice(s2 + 1, s3);
  const content = s3 < 0 ? '' : text.slice(s3 + 1);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // CRI allows several ':'-separated tags; P marks a partial line, F (or none) a full one.
  const tagList = tags.split(':');
  if (!tagList.every((t) => t === 'P' || t === 'F')) return undefined;
  const parsed = parseLogTime(time);
  if (!parsed) return undefined;
  return { time, timeMs: toMs(parsed), stream, partial: tagList.includes('P'), content };
}

/** Parses a whole k8s-file log, skipping lines that are not records (e.g. a torn last line). */
export function parseLog(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const rec = parseLogLine(line);
    if (rec) out.push(rec);
  }
  return out;
}

/**
 * Joins each stream's P fragments with the record that ends them, so every record is one line.
 * Streams are joined separately since stdout and stderr fragments can interleave. A joined
 * line keeps the time of its first fragment (when the line began). Fragments never ended —
 * output that had no newline when the process exited — come out as one partial record.
 */
export function joinPartials(records: readonly LogRecord[]): LogRecord[] {
  const out: LogRecord[] = [];
  // Per stream: index in `out` of the line being assembled.
  const open: Partial<Record<LogStream, number>> = {};
  for (const r of records) {
    const at = open[r.stream];
    if (at === undefined) {
      out.push({ ...r });
      if (r.partial) open[r.stream] = out.length - 1;
      continue;
    }
    const head = out[at]!;
    head.content += r.content;
    if (!r.partial) {
      head.partial = false;
      delete open[r.stream];
    }
  }
  return out;
}

/**
 * `docker logs` selection: --tail takes the last N records first; then records before `since`
 * are skipped up to the first one at or after it (from there on all are kept, as Docker does for
 * clocks that step back), and reading stops at the first record after `until`.
 */
export function selectLogs(records: readonly LogRecord[], sel: LogSelection = {}): LogRecord[] {
  const { tail, since, until } = sel;
  let picked: readonly LogRecord[] = records;
  if (typeof tail === 'number' && tail >= 0) picked = tail === 0 ? [] : records.slice(-Math.floor(tail));
  const out: LogRecord[] = [];
  let seekingSince = since !== undefined && since > 0;
  for (const r of picked) {
    if (seekingSince) {
      if (r.timeMs < since!) continue;
      seekingSince = false;
    }
    if (until !== undefined && until > 0 && r.timeMs > until) break;
    out.push(r);
  }
  return out;
}

/**
 * A record as `docker logs` prints it, including the newline that ends a complete line (a
 * partial record gets none, so the text continues where the process left it). With timestamps,
 * the time is printed as Docker does: UTC with exactly nine fraction digits.
 */
export function formatLogRecord(r: LogRecord, opts: { timestamps: boolean }): string {
  const end = r.partial ? '' : '\n';
  if (!opts.timestamps) return `${r.content}${end}`;
  return `${formatDockerTime(r.time, r.timeMs)} ${r.content}${end}`;
}

/** `2024-01-02T03:04:05.123456789Z`: Docker's RFC3339NanoFixed, in UTC. */
function formatDockerTime(time: string, timeMs: number): string {
  const t = parseLogTime(time) ?? { seconds: Math.floor(timeMs / 1000), nanos: Math.round((timeMs % 1000) * 1e6) };
  const whole = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(t.nanos).padStart(9, '0')}Z`;
}

// Go's time.ParseDuration grammar: one or more <decimal><unit>, optionally signed.
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

function parseGoDuration(s: string): number | undefined {
  if (!GO_DURATION.test(s)) return undefined;
  let ms = 0;
  for (const [, num, unit] of s.matchAll(DURATION_PART)) ms += Number(num) * UNIT_MS[unit!]!;
  return s.startsWith('-') ? -ms : ms;
}

// The shapes moby's GetTimestamp (client/internal/timestamp) accepts, split into fields: a date,
// optionally Thh[:mm[:ss[.fraction]]], optionally a zone (Go's layouts need the full time for a
// fraction).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;
const UNIX_TIME = /^(\d+)(?:\.(\d+))?$/;

/**
 * A `docker logs --since/--until` value as ms since the epoch, read the way the docker CLI does:
 *
 * - a Go duration (`42s`, `10m`, `1h30m`, `1.5h`) counts back from `now`, to whole seconds;
 * - an RFC 3339 date or date-time (`2024-01-02`, `2024-01-02T15:04`, `2024-01-02T15:04:05.5Z`,
 *   `…+01:00`); without a zone it is local time;
 * - a Unix timestamp, with an optional fraction (`1700000000`, `1700000000.5`).
 */
export function parseSince(s: string, now: number): number {
  const value = s.trim();
  const d = value === '0' ? undefined : parseGoDuration(value);
  if (d !== undefined) return Math.floor((now - d) / 1000) * 1000;

  const m = DATE_TIME.exec(value);
  if (m) {
    const ms = dateTimeMs(m);
    if (ms === undefined) throw new InvalidLogTimeError(s, 'a field is out of range');
    return ms;
  }
  // Anything else with a dash was meant as a date and is malformed; Docker refuses it too.
  if (value.includes('-')) throw new InvalidLogTimeError(s);
  const u = UNIX_TIME.exec(value);
  if (!u) throw new InvalidLogTimeError(s);
  return Number(u[1]) * 1000 + fractionNanos(u[2]) / 1e6;
}

function dateTimeMs(m: RegExpExecArray): number | undefined {
  const zone = m[8];
  const nanos = fractionNanos(m[7]);
  if (zone !== undefined) {
    const seconds = civilSeconds(m, zoneOffsetMinutes(zone));
    return seconds === undefined ? undefined : seconds * 1000 + nanos / 1e6;
  }
  // No zone: the local time of this machine, as the CLI uses its own zone.
  // (civilSeconds only validates the fields here.)
  if (civilSeconds(m, 0) === undefined) return undefined;
  const f = (i: number): number => Number(m[i] ?? '0');
  const local = new Date(f(1), f(2) - 1, f(3), f(4), f(5), f(6));
  // Date's constructor reads years 0–99 as 1900–1999; set the year explicitly.
  local.setFullYear(f(1));
  return local.getTime() + nanos / 1e6;
}

/**
 * Splits a growing byte stream (a log file being followed) into lines. Bytes after the last
 * newline are held until a later chunk completes them, so a record written in two pieces — or a
 * UTF-8 character split across reads — is never seen torn.
 */
export class LogLineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  /** Complete lines in `chunk` (with whatever was held before), without their newlines. */
  feed(chunk: Uint8Array | string): string[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      const piece = buf.subarray(start, nl);
      if (this.pendingLength > 0) {
        lines.push(Buffer.concat([...this.pending, piece]).toString('utf8'));
        this.pending = [];
        this.pendingLength = 0;
      } else {
        lines.push(piece.toString('utf8'));
      }
      start = nl + 1;
    }
    if (start < buf.length) {
      // Copy: the caller may reuse its read buffer.
      this.pending.push(Buffer.from(buf.subarray(start)));
      this.pendingLength += buf.length - start;
    }
    return lines;
  }

  /** Bytes held back waiting for their newline. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** The held-back unterminated text, if any, emptying the splitter (e.g. when the log is closed). */
  flush(): string | undefined {
    if (this.pendingLength === 0) return undefined;
    const rest = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingLength = 0;
    return rest;
  }
}
