/**
 * Editing a one-line prompt (filter, search, palette) with keys as parseKey names them:
 * text is appended, backspace deletes, ctrl+u clears, ctrl+w deletes a word; enter submits,
 * escape cancels. Anything else is ignored.
 */
export type PromptResult = { kind: 'edit'; text: string } | { kind: 'submit'; text: string } | { kind: 'cancel' } | { kind: 'ignore' };

export function editPrompt(text: string, key: string, raw: string): PromptResult {
  switch (key) {
    case 'enter':
      return { kind: 'submit', text };
    case 'escape':
      return { kind: 'cancel' };
    case 'backspace':
      return { kind: 'edit', text: [...text].slice(0, -1).join('') };
    case 'ctrl+u':
      return { kind: 'edit', text: '' };
    case 'ctrl+w':
      return { kind: 'edit', text: text.replace(/\S+\s*$/, '') };
    case 'space':
      return { kind: 'edit', text: `${text} ` };
  }
  // Printable text: one character, or a run of them (typed fast or pasted).
  if (raw.startsWith('\x1b') || /[\x00-\x1f\x7f]/.test(raw)) return { kind: 'ignore' };
  return { kind: 'edit', text: text + raw };
}
