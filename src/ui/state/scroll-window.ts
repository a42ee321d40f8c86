/**
 * The first row of a list window of `height` rows so that `selected` is visible, moving the
 * window as little as possible from `previous` (as vim and less scroll). Only this window of
 * rows is rendered, so a list of any length costs the same to draw.
 */
export function scrollOffset(previous: number, selected: number, height: number, total: number): number {
  if (height <= 0 || total <= height) return 0;
  let offset = Math.min(Math.max(0, previous), total - height);
  if (selected < offset) offset = selected;
  else if (selected >= offset + height) offset = selected - height + 1;
  return Math.max(0, Math.min(offset, total - height));
}
