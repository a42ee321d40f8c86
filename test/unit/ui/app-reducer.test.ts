import { describe, expect, it } from 'vitest';
import { appReducer, type Action } from '../../../src/ui/state/app-reducer.js';
import { initialState, type AppState } from '../../../src/ui/state/app-state.js';
import { imageKey, selectedContainer, visibleContainers, visibleImages, visibleRepositories } from '../../../src/ui/state/selectors.js';
import { T0, container, image } from './fake-backend.js';

const run = (state: AppState, ...actions: Action[]) => actions.reduce(appReducer, state);
const names = (s: AppState) => visibleContainers(s).map((c) => c.name);

// Newest first: web (1 min ago), db (2), old1 (3), old2 (4).
const web = container('web', 'running', { createdMinutesAgo: 1 });
const db = container('db', 'paused', { createdMinutesAgo: 2, image: 'postgres' });
const old1 = container('old1', 'exited', { createdMinutesAgo: 3, exitCode: 1 });
const old2 = container('old2', 'exited', { createdMinutesAgo: 4 });
const loaded = () => run(initialState(T0), { type: 'containersLoaded', containers: [old2, web, old1, db], now: T0 });

describe('app reducer: lists and selection', () => {
  it('lists containers newest first and starts on the first', () => {
    const s = loaded();
    expect(names(s)).toEqual(['web', 'db', 'old1', 'old2']);
    expect(selectedContainer(s)?.name).toBe('web');
    expect(s.loaded.containers).toBe(true);
  });

  it('moves within bounds (j/k, pages, g/G)', () => {
    let s = run(loaded(), { type: 'move', delta: 1 }, { type: 'move', delta: 1 });
    expect(selectedContainer(s)?.name).toBe('old1');
    s = run(s, { type: 'move', delta: 10 });
    expect(selectedContainer(s)?.name).toBe('old2');
    s = run(s, { type: 'move', delta: -10 });
    expect(selectedContainer(s)?.name).toBe('web');
    expect(selectedContainer(run(s, { type: 'moveTo', where: 'last' }))?.name).toBe('old2');
    expect(run(initialState(), { type: 'move', delta: 1 }).panes.containers.selected).toBe(0);
  });

  it('keeps the selected container selected when the list reloads in another order', () => {
    let s = run(loaded(), { type: 'move', delta: 2 }); // old1
    const fresh = container('fresh', 'running', { createdMinutesAgo: 0 });
    s = run(s, { type: 'containersLoaded', containers: [fresh, web, db, old1, old2], now: T0 });
    expect(selectedContainer(s)?.name).toBe('old1');
    expect(s.panes.containers.selected).toBe(3);
    // When the selected one is gone the selection stays at its place.
    s = run(s, { type: 'containersLoaded', containers: [fresh, web, db, old2], now: T0 });
    expect(selectedContainer(s)?.name).toBe('old2');
  });

  it('advances the clock with the slow tick and with each load', () => {
    // web has been up 5 minutes: 60 s later it reads "Up 6 minutes".
    expect(run(loaded(), { type: 'tick', now: T0 + 60_000 }).now).toBe(T0 + 60_000);
    // When no age text would change, the state stays the same object: nothing re-renders.
    const s = loaded();
    expect(run(s, { type: 'tick', now: T0 + 1_000 })).toBe(s);
    const created = run(initialState(T0), { type: 'containersLoaded', containers: [container('c', 'created')], now: T0 });
    expect(run(created, { type: 'tick', now: T0 + 3_600_000 })).toBe(created);
    expect(run(loaded(), { type: 'containersLoaded', containers: [], now: T0 + 5 }).now).toBe(T0 + 5);
  });

  it('switches panes with Tab and digits, each with its own selection', () => {
    let s = run(loaded(), { type: 'imagesLoaded', images: [image('busybox', 'latest', 'b'), image('alpine', '3', 'c')], now: T0 }, { type: 'move', delta: 1 });
    s = run(s, { type: 'cyclePane', delta: 1 });
    expect(s.pane).toBe('images');
    s = run(s, { type: 'move', delta: 1 });
    expect(s.panes.images.selected).toBe(1);
    expect(s.panes.containers.selected).toBe(1);
    expect(run(s, { type: 'cyclePane', delta: 1 }).pane).toBe('repositories');
    expect(run(s, { type: 'cyclePane', delta: 1 }, { type: 'cyclePane', delta: 1 }).pane).toBe('containers');
    expect(run(s, { type: 'cyclePane', delta: -1 }).pane).toBe('containers');
    expect(run(s, { type: 'focusPane', pane: 'repositories' }).pane).toBe('repositories');
  });
});

describe('app reducer: filter', () => {
  it('filters by status=exited as you type, and keeps it after Enter', () => {
    let s = run(loaded(), { type: 'startFilter' });
    expect(s.editingFilter).toBe(true);
    s = run(s, { type: 'setFilter', text: 'status=ex' });
    expect(names(s)).toEqual(['old1', 'old2']);
    s = run(s, { type: 'setFilter', text: 'status=exited' }, { type: 'endFilter', keep: true });
    expect(s.editingFilter).toBe(false);
    expect(names(s)).toEqual(['old1', 'old2']);
    expect(selectedContainer(s)?.name).toBe('old1');
  });

  it('matches free text against name and image', () => {
    expect(names(run(loaded(), { type: 'setFilter', text: 'postgres' }))).toEqual(['db']);
    expect(names(run(loaded(), { type: 'setFilter', text: 'OLD' }))).toEqual(['old1', 'old2']);
    expect(names(run(loaded(), { type: 'setFilter', text: 'name=^old status=exited' }))).toEqual(['old1', 'old2']);
    expect(names(run(loaded(), { type: 'setFilter', text: 'exited=1' }))).toEqual(['old1']);
  });

  it('Esc while typing clears the filter; Esc in the list clears filter, then marks, then the message', () => {
    let s = run(loaded(), { type: 'startFilter' }, { type: 'setFilter', text: 'web' }, { type: 'endFilter', keep: false });
    expect(s.panes.containers.filter).toBe('');
    s = run(loaded(), { type: 'setFilter', text: 'old' }, { type: 'toggleMark' }, { type: 'setStatus', status: { text: 'hi', level: 'info' } });
    s = run(s, { type: 'back' });
    expect(s.panes.containers.filter).toBe('');
    expect(s.panes.containers.marked.size).toBe(1);
    s = run(s, { type: 'back' });
    expect(s.panes.containers.marked.size).toBe(0);
    expect(run(s, { type: 'back' }).status).toBeUndefined();
  });
});

describe('app reducer: marks and bulk delete', () => {
  it('space marks the selected row and moves on', () => {
    const s = run(loaded(), { type: 'toggleMark' }, { type: 'toggleMark' });
    expect([...s.panes.containers.marked]).toEqual([web.id, db.id]);
    expect(s.panes.containers.selected).toBe(2);
    const unmarked = run(s, { type: 'move', delta: -2 }, { type: 'toggleMark' });
    expect([...unmarked.panes.containers.marked]).toEqual([db.id]);
  });

  it('a marks every visible row, and again unmarks them', () => {
    let s = run(loaded(), { type: 'setFilter', text: 'status=exited' }, { type: 'markAllVisible' });
    expect(new Set(s.panes.containers.marked)).toEqual(new Set([old1.id, old2.id]));
    s = run(s, { type: 'markAllVisible' });
    expect(s.panes.containers.marked.size).toBe(0);
  });

  it('"remove all exited containers": filter, mark all, delete shows the preview', () => {
    const s = run(loaded(), { type: 'setFilter', text: 'status=exited' }, { type: 'endFilter', keep: true }, { type: 'markAllVisible' }, { type: 'requestDelete' });
    expect(s.overlay).toEqual({
      kind: 'confirm',
      title: 'Remove 2 containers?',
      items: [`old1  ${old1.id.slice(0, 12)}  exited`, `old2  ${old2.id.slice(0, 12)}  exited`],
      request: { pane: 'containers', ids: [old1.id, old2.id] },
    });
  });

  it('without marks, delete asks about the selected container and says running ones are killed', () => {
    const s = run(loaded(), { type: 'requestDelete' });
    expect(s.overlay.kind === 'confirm' && s.overlay.items).toEqual([`web  ${web.id.slice(0, 12)}  running (will be killed)`]);
    expect(run(initialState(), { type: 'requestDelete' }).status).toEqual({ text: 'nothing to delete', level: 'info' });
  });

  it('after the removal the marks are gone, also when the reload drops them', () => {
    let s = run(loaded(), { type: 'setFilter', text: 'status=exited' }, { type: 'markAllVisible' }, { type: 'deleted', pane: 'containers', keys: [old1.id] });
    expect([...s.panes.containers.marked]).toEqual([old2.id]);
    s = run(s, { type: 'containersLoaded', containers: [web, db], now: T0 });
    expect(s.panes.containers.marked.size).toBe(0);
  });

  it('images are deleted by tag, untagged ones by ID', () => {
    const tagged = image('busybox', 'latest', 'b');
    const dangling = image('<none>', '<none>', 'c');
    let s = run(initialState(), { type: 'imagesLoaded', images: [tagged, dangling], now: T0 }, { type: 'focusPane', pane: 'images' });
    expect(visibleImages(s)).toHaveLength(2);
    s = run(s, { type: 'markAllVisible' }, { type: 'requestDelete' });
    expect(s.overlay.kind === 'confirm' && s.overlay.request).toEqual({ pane: 'images', refs: ['busybox:latest', dangling.id] });
    expect(s.overlay.kind === 'confirm' && s.overlay.items).toEqual(['busybox:latest', 'cccccccccccc']);
    expect([...run(s, { type: 'imagesLoaded', images: [dangling], now: T0 }).panes.images.marked]).toEqual([imageKey(dangling)]);
  });

  it('repositories come from the images, under their registries (Docker Hub first)', () => {
    const s = run(initialState(), { type: 'imagesLoaded', images: [image('busybox', 'latest'), image('busybox', '1.36'), image('127.0.0.1:5000/library/busybox', 'latest', 'c'), image('<none>', '<none>', 'd')], now: T0 });
    expect(visibleRepositories(s).map((r) => (r.kind === 'registry' ? `[${r.registry}]` : `${r.repository} ${r.localTags.join(',')}`))).toEqual([
      '[docker.io]',
      'busybox 1.36,latest',
      '[127.0.0.1:5000]',
      '127.0.0.1:5000/library/busybox latest',
    ]);
  });
});

describe('app reducer: overlays and shells', () => {
  it('opens and closes overlays; Esc closes the one shown', () => {
    let s = run(loaded(), { type: 'openOverlay', overlay: { kind: 'help', offset: 0 } });
    expect(s.overlay.kind).toBe('help');
    s = run(s, { type: 'scrollOverlay', delta: 5, max: 3 });
    expect(s.overlay).toEqual({ kind: 'help', offset: 3 });
    s = run(s, { type: 'scrollOverlay', delta: -10, max: 3 });
    expect(s.overlay).toEqual({ kind: 'help', offset: 0 });
    expect(run(s, { type: 'back' }).overlay.kind).toBe('none');
    expect(run(s, { type: 'closeOverlay' }).overlay.kind).toBe('none');
  });

  it('palette keeps its query and selection', () => {
    let s = run(loaded(), { type: 'openOverlay', overlay: { kind: 'palette', query: '', selected: 0 } }, { type: 'paletteMove', delta: 3, count: 5 });
    expect(s.overlay).toEqual({ kind: 'palette', query: '', selected: 3 });
    s = run(s, { type: 'paletteInput', query: 'del' });
    expect(s.overlay).toEqual({ kind: 'palette', query: 'del', selected: 0 });
    expect(run(s, { type: 'paletteMove', delta: 9, count: 2 }).overlay).toEqual({ kind: 'palette', query: 'del', selected: 1 });
  });

  it('opening a shell focuses it; switching and closing keep the app', () => {
    let s = run(loaded(), { type: 'shellOpened', id: 7, containerId: web.id, title: 'web:/bin/sh' });
    expect(s.focus).toBe('shell');
    expect(s.shells).toEqual([{ id: 7, containerId: web.id, title: 'web:/bin/sh' }]);
    s = run(s, { type: 'shellOpened', id: 8, containerId: db.id, title: 'db:/bin/sh' });
    expect(s.activeShell).toBe(1);
    s = run(s, { type: 'nextShell' });
    expect(s.activeShell).toBe(0);
    s = run(s, { type: 'toggleShellFocus' });
    expect(s.focus).toBe('list');
    s = run(s, { type: 'toggleShellFocus' }, { type: 'shellClosed', id: 7 });
    expect(s.shells.map((x) => x.id)).toEqual([8]);
    expect(s.activeShell).toBe(0);
    expect(s.focus).toBe('shell');
    s = run(s, { type: 'shellClosed', id: 8 });
    expect(s.shells).toEqual([]);
    expect(s.focus).toBe('list');
  });

  it('focusing shells when none is open says how to open one', () => {
    const s = run(loaded(), { type: 'toggleShellFocus' });
    expect(s.focus).toBe('list');
    expect(s.status?.text).toMatch(/press e/);
  });
});
