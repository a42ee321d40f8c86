import { openHistory, openInspect, runContainerVerb, toggleVerb } from '../actions/engine-actions.js';
import { startPull } from '../actions/pull-actions.js';
import { PANES } from '../state/app-state.js';
import { COMMANDS, type Command } from '../state/keymap.js';
import type { PaletteCommand } from '../state/palette-command.js';
import { newRunForm } from '../state/run-form.js';
import { imageRef, selectedContainer, selectedImage, selectedRegistry, selectedRepository } from '../state/selectors.js';
import { commandApplies } from '../components/HelpOverlay.js';
import { listBodyRows } from '../components/screen-layout.js';
import { info, problem, type KeyEnv } from './key-env.js';

/** A command of the list panes, from a key or the palette. */
export function runListCommand(command: Command, env: KeyEnv): void {
  const { apply, keymap, ctx } = env;
  const s = env.state;
  const pageRows = Math.max(1, listBodyRows(s, env.layout.innerHeight) - 1);
  if (!commandApplies(command, s.pane)) {
    apply(info(`${COMMANDS[command].help}: not in the ${s.pane} pane`));
    return;
  }
  const container = s.pane === 'containers' ? selectedContainer(s) : undefined;
  const needContainer = () => {
    if (!container) apply(info('no container selected'));
    return container;
  };
  const needRunning = () => {
    const c = needContainer();
    if (c && c.state.status !== 'running') {
      apply(problem(`${c.name} is not running: start it with ${keymap.startStop[0] ?? 's'} first`));
      return undefined;
    }
    return c;
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
    case 'shell':
    case 'attach': {
      const c = needRunning();
      if (c) void env.shells.openShell(c.id, c.name, command === 'attach' ? 'attach' : 'shell');
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
      if (!repo) return apply(info('select a repository (the rows under a registry) to pick a tag'));
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
      if (!i) return apply(info('no image selected: pull one first'));
      return apply({ type: 'openOverlay', overlay: { kind: 'runForm', form: newRunForm(imageRef(i)) } });
    }
    case 'tagImage': {
      const i = selectedImage(s);
      if (!i) return apply(info('no image selected'));
      return apply({ type: 'openOverlay', overlay: { kind: 'prompt', purpose: 'tag', text: i.repository === '<none>' ? '' : `${i.repository}:`, source: imageRef(i) } });
    }
    case 'imageHistory': {
      const i = selectedImage(s);
      if (!i) return apply(info('no image selected'));
      void openHistory(ctx, imageRef(i), i.repository === '<none>' ? i.id.slice(7, 19) : `${i.repository}:${i.tag}`);
      return;
    }
    case 'refresh':
      // Registries are asked again too: the answers may be stale.
      apply({ type: 'remoteReset' });
      env.reload();
      env.redraw?.();
      return apply(info('reloaded'));
    case 'toggleShellFocus':
      return apply({ type: 'toggleShellFocus' });
    case 'nextShell':
      return apply({ type: 'nextShell' });
    case 'closeShell':
      return env.shells.closeActiveShell(s);
    case 'quit':
      return env.quit();
    default:
      return;
  }
}

/** `:pull REF`, `:run IMAGE [CMD]` (the run form, prefilled), `:exec CMD…`, `:filter QUERY` (this pane's filter). */
export function runPaletteCommand(c: PaletteCommand, env: KeyEnv): void {
  const { apply } = env;
  switch (c.kind) {
    case 'pull':
      void startPull(env.ctx, c.reference);
      return;
    case 'filter':
      apply({ type: 'setFilter', text: c.text });
      return apply({ type: 'endFilter', keep: true });
    case 'run': {
      const form = newRunForm(c.image);
      return apply({ type: 'openOverlay', overlay: { kind: 'runForm', form: { ...form, values: { ...form.values, command: c.command } } } });
    }
    case 'exec': {
      const s = env.state;
      const target = s.pane === 'containers' ? selectedContainer(s) : undefined;
      if (!target || target.state.status !== 'running') return apply(problem('exec needs a running container selected in the Containers pane'));
      void env.shells.openShell(target.id, target.name, 'shell', c.argv);
      return;
    }
    case 'error':
      return apply(problem(c.message));
  }
}
