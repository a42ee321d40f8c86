import type { Dispatch, MutableRefObject } from 'react';
import { openHistory, openInspect, performDelete, runContainerVerb, tagImage, toggleVerb, type ActionContext } from '../actions/engine-actions.js';
import { appReducer, type Action } from '../state/app-reducer.js';
import { PANES, type AppState } from '../state/app-state.js';
import { COMMANDS, matchCommand, parseKey, splitKeys, type Command, type Keymap } from '../state/keymap.js';
import { imageRef, selectedContainer, selectedImage, selectedRegistry, selectedRepository, tagRows } from '../state/selectors.js';
import { repositoryFromInput } from '../state/remote-state.js';
import { parsePaletteCommand, type PaletteCommand } from '../state/palette-command.js';
import { runFormKey, newRunForm } from '../state/run-form.js';
import { startPull } from '../actions/pull-actions.js';
import { submitRunForm } from '../actions/run-actions.js';
import { editPrompt } from '../state/text-prompt.js';
import { commandApplies, helpLines } from '../components/HelpOverlay.js';
import { paletteItems } from '../components/PaletteOverlay.js';
import { viewerBodyHeight } from '../components/TextViewer.js';
import { listBodyRows, type ScreenLayout } from '../components/screen-layout.js';
import type { ShellPanes } from './use-shell-panes.js';
import { useKeys } from './use-keys.js';

export interface AppKeyDeps {
  stateRef: MutableRefObject<AppState>;
  layoutRef: MutableRefObject<ScreenLayout>;
  dispatch: Dispatch<Action>;
  keymap: Keymap;
  ctx: ActionContext;
  shells: ShellPanes;
  quit: () => void;
  reload: () => void;
  redraw?: () => void;
}

/**
 * Routes every key press: to a focused shell (all but the keys that leave or close it), to a
 * text prompt (filter, palette), to the overlay shown (confirm, help, inspect; the logs viewer
 * reads its own), or to the list's commands through the keymap.
 */
export function useAppKeys(deps: AppKeyDeps): void {
  const { stateRef, layoutRef, dispatch, keymap, ctx, quit, reload, redraw } = deps;
  const { sessions, openShell, closeActiveShell } = deps.shells;

  /** A command in the list context (from a key or the palette); `apply` keeps a local copy of the state current. */
  const runCommand = (command: Command, s: AppState, apply: (a: Action) => void): void => {
    const pageRows = Math.max(1, listBodyRows(s, layoutRef.current.innerHeight) - 1);
    if (!commandApplies(command, s.pane)) {
      apply({ type: 'setStatus', status: { text: `${COMMANDS[command].help}: not in the ${s.pane} pane`, level: 'info' } });
      return;
    }
    const container = s.pane === 'containers' ? selectedContainer(s) : undefined;
    const needContainer = () => {
      if (!container) apply({ type: 'setStatus', status: { text: 'no container selected', level: 'info' } });
      return container;
    };
    switch (command) {
      case 'up':
        return apply({ type: 'move', delta: -1 });
      case 'down':
        return apply({ type: 'move', delta: 1 });
      case 'pageUp':
        return apply({ type: 'move', delta: -pageRows });
      case 'pageDown':
        return apply({ type: 'move', delta: pageRows });
      case 'top':
        return apply({ type: 'moveTo', where: 'first' });
      case 'bottom':
        return apply({ type: 'moveTo', where: 'last' });
      case 'nextPane':
        return apply({ type: 'cyclePane', delta: 1 });
      case 'prevPane':
        return apply({ type: 'cyclePane', delta: -1 });
      case 'paneContainers':
      case 'paneImages':
      case 'paneRepositories':
        return apply({ type: 'focusPane', pane: PANES[['paneContainers', 'paneImages', 'paneRepositories'].indexOf(command)]! });
      case 'back':
        return apply({ type: 'back' });
      case 'help':
        return apply({ type: 'openOverlay', overlay: { kind: 'help', offset: 0 } });
      case 'filter':
        return apply({ type: 'startFilter' });
      case 'palette':
        return apply({ type: 'openOverlay', overlay: { kind: 'palette', query: '', selected: 0 } });
      case 'mark':
        return apply({ type: 'toggleMark' });
      case 'markAll':
        return apply({ type: 'markAllVisible' });
      case 'delete':
        return apply({ type: 'requestDelete' });
      case 'startStop':
      case 'pause': {
        const c = needContainer();
        if (c) void runContainerVerb(ctx, toggleVerb(command, c), c);
        return;
      }
      case 'restart':
      case 'kill': {
        const c = needContainer();
        if (c) void runContainerVerb(ctx, command, c);
        return;
      }
      case 'logs': {
        const c = needContainer();
        if (c) apply({ type: 'openOverlay', overlay: { kind: 'logs', containerId: c.id, name: c.name } });
        return;
      }
      case 'shell': {
        const c = needContainer();
        if (!c) return;
        if (c.state.status !== 'running') {
          apply({ type: 'setStatus', status: { text: `${c.name} is not running: start it with ${keymap.startStop[0] ?? 's'} first`, level: 'error' } });
          return;
        }
        void openShell(c.id, c.name);
        return;
      }
      case 'attach': {
        const c = needContainer();
        if (!c) return;
        if (c.state.status !== 'running') {
          apply({ type: 'setStatus', status: { text: `${c.name} is not running: start it with ${keymap.startStop[0] ?? 's'} first`, level: 'error' } });
          return;
        }
        void openShell(c.id, c.name, 'attach');
        return;
      }
      case 'inspect': {
        if (s.pane === 'containers') {
          const c = needContainer();
          if (c) void openInspect(ctx, 'container', c.id, c.name);
        } else if (s.pane === 'images') {
          const i = selectedImage(s);
          if (i) void openInspect(ctx, 'image', imageRef(i), imageRef(i).replace(/^sha256:(.{12}).*/, '$1'));
        }
        return;
      }
      case 'stats':
        return apply({ type: 'openOverlay', overlay: { kind: 'stats', offset: 0 } });
      case 'pickTag': {
        const repo = selectedRepository(s);
        if (!repo) return apply({ type: 'setStatus', status: { text: 'select a repository (the rows under a registry) to pick a tag', level: 'info' } });
        return apply({ type: 'openOverlay', overlay: { kind: 'tagPicker', repository: repo.repository, query: '', selected: 0 } });
      }
      case 'addRepository': {
        const registry = selectedRegistry(s);
        return apply({ type: 'openOverlay', overlay: { kind: 'prompt', purpose: 'addRepository', text: registry && registry !== 'docker.io' ? `${registry}/` : '' } });
      }
      case 'pull':
        return apply({ type: 'openOverlay', overlay: { kind: 'prompt', purpose: 'pull', text: '' } });
      case 'runImage': {
        const i = selectedImage(s);
        if (!i) return apply({ type: 'setStatus', status: { text: 'no image selected: pull one first', level: 'info' } });
        return apply({ type: 'openOverlay', overlay: { kind: 'runForm', form: newRunForm(imageRef(i)) } });
      }
      case 'tagImage': {
        const i = selectedImage(s);
        if (!i) return apply({ type: 'setStatus', status: { text: 'no image selected', level: 'info' } });
        return apply({ type: 'openOverlay', overlay: { kind: 'prompt', purpose: 'tag', text: i.repository === '<none>' ? '' : `${i.repository}:`, source: imageRef(i) } });
      }
      case 'imageHistory': {
        const i = selectedImage(s);
        if (!i) return apply({ type: 'setStatus', status: { text: 'no image selected', level: 'info' } });
        void openHistory(ctx, imageRef(i), i.repository === '<none>' ? i.id.slice(7, 19) : `${i.repository}:${i.tag}`);
        return;
      }
      case 'refresh':
        // Registries are asked again too: the answers may be stale.
        apply({ type: 'remoteReset' });
        reload();
        redraw?.();
        return apply({ type: 'setStatus', status: { text: 'reloaded', level: 'info' } });
      case 'toggleShellFocus':
        return apply({ type: 'toggleShellFocus' });
      case 'nextShell':
        return apply({ type: 'nextShell' });
      case 'closeShell':
        return closeActiveShell(s);
      case 'quit':
        return quit();
      default:
        return;
    }
  };

  /** `:pull REF`, `:run IMAGE [CMD]` (the run form, prefilled), `:filter QUERY` (this pane's filter). */
  const runPaletteCommand = (c: PaletteCommand, s: AppState, apply: (a: Action) => void): void => {
    switch (c.kind) {
      case 'pull':
        void startPull(ctx, c.reference);
        return;
      case 'filter':
        apply({ type: 'setFilter', text: c.text });
        return apply({ type: 'endFilter', keep: true });
      case 'run': {
        const form = newRunForm(c.image);
        return apply({ type: 'openOverlay', overlay: { kind: 'runForm', form: { ...form, values: { ...form.values, command: c.command } } } });
      }
      case 'exec': {
        const target = s.pane === 'containers' ? selectedContainer(s) : undefined;
        if (!target || target.state.status !== 'running') return apply({ type: 'setStatus', status: { text: 'exec needs a running container selected in the Containers pane', level: 'error' } });
        void openShell(target.id, target.name, 'shell', c.argv);
        return;
      }
      case 'error':
        return apply({ type: 'setStatus', status: { text: c.message, level: 'error' } });
    }
  };

  const handleRaw = (raw: string) => {
    // The reducer is pure: computing the next state here keeps `s` current between keys that
    // arrive before React re-renders (typed fast, or pasted).
    let s = stateRef.current;
    const apply = (a: Action) => {
      s = appReducer(s, a);
      stateRef.current = s;
      dispatch(a);
    };
    // A focused shell gets the bytes as they came, but for the few keys that leave or close it.
    if (s.focus === 'shell' && s.overlay.kind === 'none' && s.shells.length > 0) {
      const command = matchCommand(keymap, 'shell', parseKey(raw));
      if (command === 'toggleShellFocus') apply({ type: 'toggleShellFocus' });
      else if (command === 'nextShell') apply({ type: 'nextShell' });
      else if (command === 'closeShell') closeActiveShell(s);
      else sessions.write(s.shells[s.activeShell]!.id, raw);
      return;
    }
    // Esc typed right before another key arrives as one `alt+key` sequence (tmux, slow links):
    // unless alt+key means something here, it is Esc and then the key.
    const inPrompt = s.editingFilter || ['palette', 'tagPicker', 'prompt', 'runForm'].includes(s.overlay.kind);
    const altBound = s.overlay.kind === 'none' && !s.editingFilter && matchCommand(keymap, 'list', parseKey(raw)) !== undefined;
    const keys = /^\x1b[\x20-\x7e]$/.test(raw) && (inPrompt || (s.overlay.kind === 'none' && !altBound)) ? ['\x1b', raw.slice(1)] : splitKeys(raw);
    for (const k of keys) {
      const key = parseKey(k);
      if (s.editingFilter) {
        if (key === 'ctrl+c') return quit();
        const r = editPrompt(s.panes[s.pane].filter, key, k);
        if (r.kind === 'edit') apply({ type: 'setFilter', text: r.text });
        else if (r.kind === 'submit') apply({ type: 'endFilter', keep: true });
        else if (r.kind === 'cancel') apply({ type: 'endFilter', keep: false });
        continue;
      }
      const o = s.overlay;
      switch (o.kind) {
        case 'palette': {
          const items = paletteItems(keymap, s.pane, o.query);
          if (key === 'ctrl+c') return quit();
          if (key === 'up' || key === 'ctrl+p') apply({ type: 'paletteMove', delta: -1, count: items.length });
          else if (key === 'down' || key === 'ctrl+n') apply({ type: 'paletteMove', delta: 1, count: items.length });
          else {
            const r = editPrompt(o.query, key, k);
            if (r.kind === 'edit') apply({ type: 'paletteInput', query: r.text });
            else if (r.kind === 'cancel') apply({ type: 'closeOverlay' });
            else if (r.kind === 'submit') {
              apply({ type: 'closeOverlay' });
              const argument = parsePaletteCommand(o.query);
              if (argument) runPaletteCommand(argument, s, apply);
              else {
                const item = items[o.selected];
                if (item) runCommand(item.command, s, apply);
              }
            }
          }
          continue;
        }
        case 'confirm': {
          const command = matchCommand(keymap, 'confirm', key);
          if (command === 'confirm') {
            apply({ type: 'closeOverlay' });
            void performDelete(ctx, o.request);
          } else if (command === 'cancel') {
            apply({ type: 'closeOverlay' });
            apply({ type: 'setStatus', status: { text: 'nothing removed', level: 'info' } });
          } else if (command === 'quit') return quit();
          continue;
        }
        case 'help':
        case 'inspect':
        case 'stats': {
          const command = matchCommand(keymap, 'viewer', key);
          const body = viewerBodyHeight(layoutRef.current.innerHeight);
          const total = o.kind === 'help' ? helpLines(keymap, s.pane).length : o.kind === 'stats' ? Object.keys(s.stats).length : o.lines.length;
          const max = total - body;
          const scroll = (delta: number) => apply({ type: 'scrollOverlay', delta, max });
          if (command === 'close') apply({ type: 'closeOverlay' });
          else if (command === 'quit') return quit();
          else if (command === 'up') scroll(-1);
          else if (command === 'down') scroll(1);
          else if (command === 'pageUp') scroll(-body);
          else if (command === 'pageDown') scroll(body);
          else if (command === 'top') scroll(-total);
          else if (command === 'bottom') scroll(total);
          continue;
        }
        case 'logs':
          // The logs viewer reads its own keys.
          continue;
        case 'tagPicker': {
          if (key === 'ctrl+c') return quit();
          const rows = tagRows(s, o.repository, o.query);
          const command = matchCommand(keymap, 'picker', key);
          if (command === 'pickerUp') apply({ type: 'pickerMove', delta: -1, count: rows.length });
          else if (command === 'pickerDown') apply({ type: 'pickerMove', delta: 1, count: rows.length });
          else if (command === 'pickerClose') apply({ type: 'closeOverlay' });
          else if (command === 'pickerChoose') {
            const row = rows[o.selected];
            if (!row) continue;
            apply({ type: 'closeOverlay' });
            void startPull(ctx, `${o.repository}:${row.tag}`);
          } else {
            const r = editPrompt(o.query, key, k);
            if (r.kind === 'edit') apply({ type: 'pickerInput', query: r.text });
          }
          continue;
        }
        case 'prompt': {
          if (key === 'ctrl+c') return quit();
          const r = editPrompt(o.text, key, k);
          if (r.kind === 'edit') apply({ type: 'promptInput', text: r.text });
          else if (r.kind === 'cancel') apply({ type: 'closeOverlay' });
          else if (r.kind === 'submit') {
            const text = r.text.trim();
            if (text === '') {
              const hint = o.purpose === 'pull' ? 'type an image reference, e.g. busybox:1.36' : o.purpose === 'tag' ? 'type the new name, e.g. myapp:v2' : 'type a repository, e.g. 127.0.0.1:5000/app';
              apply({ type: 'setStatus', status: { text: hint, level: 'info' } });
              continue;
            }
            apply({ type: 'closeOverlay' });
            if (o.purpose === 'pull') void startPull(ctx, text);
            else if (o.purpose === 'tag') void tagImage(ctx, o.source, text);
            else {
              const added = repositoryFromInput(text);
              if ('error' in added) apply({ type: 'setStatus', status: { text: `add ${text}: ${added.error}`, level: 'error' } });
              else {
                apply({ type: 'repositoryAdded', repository: added.repository });
                apply({ type: 'setStatus', status: { text: `${added.repository} added to the list`, level: 'info' } });
              }
            }
          }
          continue;
        }
        case 'runForm': {
          if (key === 'ctrl+c') return quit();
          const command = matchCommand(keymap, 'form', key);
          const formCommand = command === 'nextField' || command === 'prevField' || command === 'submitForm' || command === 'cancelForm' ? command : undefined;
          const r = runFormKey(o.form, formCommand, key, k);
          if (r.effect === 'cancel') apply({ type: 'closeOverlay' });
          else {
            apply({ type: 'runFormUpdate', form: r.form });
            if (r.effect === 'submit') void submitRunForm(ctx, r.spec);
          }
          continue;
        }
        case 'none': {
          const command = matchCommand(keymap, 'list', key);
          if (command) runCommand(command, s, apply);
          continue;
        }
      }
    }
  };
  // Always listening (the logs viewer listens too, and this one ignores keys while it is open):
  // toggling the subscription could lose a key typed right after the viewer closed.
  useKeys(handleRaw);
}
