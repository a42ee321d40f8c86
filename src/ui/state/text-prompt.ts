/**
 * Editing a one-line text field (filter, search, palette, prompts, form fields) with keys as
 * parseKey names them. The cursor counts code points from the start; left/right, home/end
 * (ctrl+a/ctrl+e) move it; text typed or pasted (a run of characters) goes in at the cursor;
 * backspace and delete remove around it; ctrl+u deletes before it, ctrl+k after it, ctrl+w the
 * word before it. Enter submits, Escape cancels. Anything else is ignored.
 */
export type FieldResult = { kind: 'edit'; text: string; cursor: number } | { kind: 'submit'; text: string } | { kind: 'cancel' } | { kind: 'ignore' };

/** `cursor` undefined means at the end (a field that was never moved in). */
export function editField(text: string, cursor: number | undefined, key: string, raw: string): FieldResult {
  const chars = [...text];
  const at = Math.max(0, Math.min(cursor ?? chars.length, chars.length));
  const before = chars.slice(0, at);
  const after = chars.slice(at);
  const edit = (b: string[], a: string[]): FieldResult => ({ kind: 'edit', text: b.join('') + a.join(''), cursor: b.length });
  switch (key) {
    case 'enter':
      return { kind: 'submit', text };
    case 'escape':
      return { kind: 'cancel' };
    case 'left':
      return edit(before.slice(0, -1), [...before.slice(-1), ...after]);
    case 'right':
      return edit([...before, ...after.slice(0, 1)], after.slice(1));
    case 'home':
    case 'ctrl+a':
      return edit([], chars);
    case 'end':
    case 'ctrl+e':
      return edit(chars, []);
    case 'backspace':
      return edit(before.slice(0, -1), after);
    case 'delete':
      return edit(before, after.slice(1));
    case 'ctrl+u':
      return edit([], after);
    case 'ctrl+k':
      return edit(before, []);
    case 'ctrl+w':
      return edit([...before.join('').replace(/\S+\s*$/, '')], after);
    case 'space':
      return edit([...before, ' '], after);
  }
  // Printable text: one character, or a run of them (typed fast or pasted).
  if (raw.startsWith('\x1b') || /[\x00-\x1f\x7f]/.test(raw)) return { kind: 'ignore' };
  return edit([...before, ...raw], after);
}

/** The field as shown: the text with a bar at the cursor. */
export function showField(text: string, cursor: number | undefined): string {
  const chars = [...text];
  const at = Math.max(0, Math.min(cursor ?? chars.length, chars.length));
  return `${chars.slice(0, at).join('')}▏${chars.slice(at).join('')}`;
}
