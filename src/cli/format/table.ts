/**
 * Columns laid out as Docker's tabwriter does (minwidth 10, padding 3): every column but the
 * last is as wide as its widest cell plus three spaces.
 */
export function renderTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(10, widths[i]! + 3))))
        .join('')
        .trimEnd(),
    )
    .join('\n') + '\n';
}

/** Docker truncates long commands with an ellipsis. */
export function ellipsis(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
