/**
 * Timestamps as Docker's CLI prints them in `--format` fields (Go's time formatting, in UTC):
 * ps and images show `time.Unix(sec, 0).String()`, network ls `Created.String()` with its
 * fraction, history RFC 3339. An absent or unreadable time prints as ''.
 */

/** `2024-05-01 12:00:00 +0000 UTC`, or with `fraction` Go's trimmed fraction: `12:00:00.25 +0000 UTC`. */
export function goTimeString(iso: string | undefined, opts: { fraction?: boolean } = {}): string {
  const date = parse(iso);
  if (!date) return '';
  const [day, time] = date.toISOString().split('T') as [string, string];
  const fraction = opts.fraction ? fractionOf(iso!) : '';
  return `${day} ${time.slice(0, 8)}${fraction} +0000 UTC`;
}

/** `2024-05-01T12:00:00Z` (Go's time.RFC3339, whole seconds). */
export function goRfc3339(iso: string | undefined): string {
  const date = parse(iso);
  return date ? `${date.toISOString().slice(0, 19)}Z` : '';
}

function parse(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The fraction of seconds as written (up to nanoseconds), trailing zeros dropped as Go does. */
function fractionOf(iso: string): string {
  const digits = /T\d\d:\d\d:\d\d\.(\d+)/.exec(iso)?.[1]?.slice(0, 9).replace(/0+$/, '') ?? '';
  return digits ? `.${digits}` : '';
}
