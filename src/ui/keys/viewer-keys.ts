import type { AppState, Overlay } from '../state/app-state.js';
import { matchCommand, type Keymap } from '../state/keymap.js';
import { helpLines } from '../components/HelpOverlay.js';
import { viewerBodyHeight } from '../components/TextViewer.js';
import type { KeyEnv, KeyOutcome, OverlayKeys } from './key-env.js';

type Scrollable = Extract<Overlay, { kind: 'help' | 'inspect' | 'stats' }>;

/** How many lines the scrollable overlay holds. */
function totalLines(o: Scrollable, s: AppState, keymap: Keymap): number {
  if (o.kind === 'help') return helpLines(keymap, s.pane).length;
  if (o.kind === 'stats') return Object.keys(s.stats).length;
  return o.lines.length;
}

function scrollKeys(o: Scrollable, key: string, env: KeyEnv): KeyOutcome {
  const command = matchCommand(env.keymap, 'viewer', key);
  const body = viewerBodyHeight(env.layout.innerHeight);
  const total = totalLines(o, env.state, env.keymap);
  const scroll = (delta: number) => env.apply({ type: 'scrollOverlay', delta, max: total - body });
  if (command === 'close') env.apply({ type: 'closeOverlay' });
  else if (command === 'quit') {
    env.quit();
    return 'stop';
  } else if (command === 'up') scroll(-1);
  else if (command === 'down') scroll(1);
  else if (command === 'pageUp') scroll(-body);
  else if (command === 'pageDown') scroll(body);
  else if (command === 'top') scroll(-total);
  else if (command === 'bottom') scroll(total);
  return undefined;
}

/** HelpOverlay, TextViewer (inspect, history) and StatsView: j/k and pages scroll, q/Esc close. */
export const helpKeys: OverlayKeys<'help'> = { takesText: false, handle: (o, key, _raw, env) => scrollKeys(o, key, env) };
export const inspectKeys: OverlayKeys<'inspect'> = { takesText: false, handle: (o, key, _raw, env) => scrollKeys(o, key, env) };
export const statsKeys: OverlayKeys<'stats'> = { takesText: false, handle: (o, key, _raw, env) => scrollKeys(o, key, env) };
