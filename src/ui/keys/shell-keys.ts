import { matchCommand, parseKey } from '../state/keymap.js';
import type { KeyEnv } from './key-env.js';

/** A focused shell pane gets the bytes as they came, but for the few keys that leave or close it. */
export function shellKeys(raw: string, env: KeyEnv): void {
  const s = env.state;
  const command = matchCommand(env.keymap, 'shell', parseKey(raw));
  if (command === 'toggleShellFocus') env.apply({ type: 'toggleShellFocus' });
  else if (command === 'nextShell') env.apply({ type: 'nextShell' });
  else if (command === 'closeShell') env.shells.closeActiveShell(s);
  else env.shells.sessions.write(s.shells[s.activeShell]!.id, raw);
}
