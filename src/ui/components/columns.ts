/** A table column: its title, the width it needs, how much spare width it takes, and how soon it is dropped when space is short. */
export interface ColumnSpec {
  title: string;
  /** Narrowest useful width. */
  min: number;
  /** Share of the width left after every shown column has its minimum (0: stays at min). */
  grow: number;
  /** Widest useful width (e.g. a 12-character ID). */
  max?: number;
  /** Lower numbers are dropped first when the columns do not fit; the highest is never dropped. */
  priority: number;
}

/** Column widths for `total` characters (one space between columns); 0 means the column is hidden. */
export function layoutColumns(specs: readonly ColumnSpec[], total: number): number[] {
  const shown = specs.map(() => true);
  const need = () => specs.reduce((sum, s, i) => sum + (shown[i] ? s.min + 1 : 0), 0) - 1;
  const order = specs.map((s, i) => ({ p: s.priority, i })).sort((a, b) => a.p - b.p || b.i - a.i);
  for (const { i } of order) {
    if (need() <= total || shown.filter(Boolean).length === 1) break;
    shown[i] = false;
  }
  const widths = specs.map((s, i) => (shown[i] ? s.min : 0));
  let spare = total - need();
  // Hand out the spare width by `grow`, respecting `max`; repeat while some column is capped.
  for (let round = 0; round < 4 && spare > 0; round++) {
    const growing = specs.map((s, i) => (shown[i] && s.grow > 0 && (s.max === undefined || widths[i]! < s.max) ? s.grow : 0));
    const weight = growing.reduce((a, b) => a + b, 0);
    if (weight === 0) break;
    let given = 0;
    specs.forEach((s, i) => {
      if (growing[i] === 0) return;
      let add = Math.floor((spare * growing[i]!) / weight);
      if (s.max !== undefined) add = Math.min(add, s.max - widths[i]!);
      widths[i]! += add;
      given += add;
    });
    spare -= given;
    if (given === 0) {
      // Rounding left a few characters: give them to the first growing column.
      const first = growing.findIndex((g) => g > 0);
      if (first >= 0) widths[first]! += spare;
      spare = 0;
    }
  }
  if (need() > total) {
    // Even one column is too wide: squeeze it.
    const only = shown.findIndex(Boolean);
    widths[only] = Math.max(1, total);
  }
  return widths;
}

/** `text` cut to `width` (with an ellipsis) and padded to it. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = [...text.replace(/[\x00-\x1f\x7f]/g, ' ')];
  if (chars.length > width) return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return align === 'right' ? pad + chars.join('') : chars.join('') + pad;
}

/** A row of cells as one line (hidden columns skipped). */
export function joinCells(cells: readonly string[], widths: readonly number[], aligns: readonly ('left' | 'right')[] = []): string {
  const parts: string[] = [];
  cells.forEach((c, i) => {
    if (widths[i]! > 0) parts.push(fit(c, widths[i]!, aligns[i]));
  });
  return parts.join(' ');
}
