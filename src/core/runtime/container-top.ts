/** `top`: the output of `runc ps` (ps run on the host, filtered to the container's processes). */

export interface ProcessList {
  titles: string[];
  processes: string[][];
}

/**
 * Splits ps output into columns as the Docker daemon does: titles are the header's words, and
 * every line gets as many cells, the last one (CMD) keeping the rest of the line with its spaces.
 */
export function parsePsOutput(output: string): ProcessList {
  const lines = output.split('\n');
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter(Boolean);
  if (!titles.includes('PID')) throw new Error("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    processes.push(fields.length >= titles.length ? [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')] : fields);
  }
  return { titles, processes };
}

/** Docker's `top` table: tabwriter with a minimum cell width of 20 and a padding of 3. */
export function renderProcessTable(list: ProcessList): string {
  const rows = [list.titles, ...list.processes];
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(20, widths[i]! + 3)))).join('')).join('\n') + '\n';
}
