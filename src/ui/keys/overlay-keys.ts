import type { Overlay } from '../state/app-state.js';
import { confirmKeys } from './confirm-keys.js';
import type { OverlayKeyHandler, OverlayKeys } from './key-env.js';
import { paletteKeys } from './palette-keys.js';
import { promptKeys } from './prompt-keys.js';
import { runFormKeys } from './run-form-keys.js';
import { tagPickerKeys } from './tag-picker-keys.js';
import { helpKeys, inspectKeys, statsKeys } from './viewer-keys.js';

type Shown = Exclude<Overlay['kind'], 'none'>;

/** The logs viewer keeps its state in its component (LogsOverlay.tsx) and reads its own keys there. */
const logsKeys: OverlayKeys<'logs'> = { takesText: false, handle: () => undefined };

/** Each overlay's key handling, by kind: the type makes a new overlay kind bring its own. */
export const OVERLAY_KEYS: { [K in Shown]: OverlayKeys<K> } = {
  help: helpKeys,
  inspect: inspectKeys,
  stats: statsKeys,
  confirm: confirmKeys,
  logs: logsKeys,
  palette: paletteKeys,
  tagPicker: tagPickerKeys,
  prompt: promptKeys,
  runForm: runFormKeys,
};

/** The key handling of the overlay shown (an entry of OVERLAY_KEYS, typed for any overlay). */
export function overlayKeys(o: Extract<Overlay, { kind: Shown }>): { handle: OverlayKeyHandler; takesText: boolean } {
  return OVERLAY_KEYS[o.kind] as unknown as { handle: OverlayKeyHandler; takesText: boolean };
}
