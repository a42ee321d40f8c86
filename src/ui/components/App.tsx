import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, useApp } from 'ink';
import type { UiBackend } from '../data/ui-backend.js';
import { useEngineData } from '../data/use-engine-data.js';
import { useAppKeys } from '../hooks/use-app-keys.js';
import { useShellPanes } from '../hooks/use-shell-panes.js';
import { useTerminalSize, type TerminalSize } from '../hooks/use-terminal-size.js';
import { appReducer } from '../state/app-reducer.js';
import { initialState, type AppState } from '../state/app-state.js';
import { buildKeymap, type Command, type Keymap } from '../state/keymap.js';
import { parseContainerQuery } from '../state/list-filter.js';
import { selectedRepository, tagRows, visibleContainers, visibleImages, visibleRepositories } from '../state/selectors.js';
import { pullStripRows } from '../state/pulls.js';
import { parsePaletteCommand } from '../state/palette-command.js';
import { useRemoteData } from '../data/use-remote-data.js';
import { useStatsSampling } from '../data/use-stats-sampling.js';
import { PromptDialog } from './PromptDialog.js';
import { PullsStrip } from './PullsStrip.js';
import { RunFormDialog } from './RunFormDialog.js';
import { StatsView } from './StatsView.js';
import { TagPicker } from './TagPicker.js';
import type { ActionContext } from '../actions/engine-actions.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ContainersPane } from './ContainersPane.js';
import { FilterBar } from './FilterBar.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { ImagesPane } from './ImagesPane.js';
import { LogsOverlay } from './LogsOverlay.js';
import { PaletteOverlay, paletteItems } from './PaletteOverlay.js';
import { RepositoriesPane } from './RepositoriesPane.js';
import { ShellPane } from './ShellPane.js';
import { StatusLine } from './StatusLine.js';
import { TextViewer } from './TextViewer.js';
import { maxStripRows, screenLayout } from './screen-layout.js';

export { screenLayout } from './screen-layout.js';

/** How long a message stays in the status line. */
export const STATUS_INFO_MS = 5_000;
export const STATUS_ERROR_MS = 15_000;

export interface AppProps {
  backend: UiBackend;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  size?: TerminalSize;
  /** Called once the app decided to quit (after its shells were closed). */
  onQuit?: () => void;
  /** Draws the whole screen again (ctrl-l, ctrl-r). */
  redraw?: () => void;
}

function firstKeys(keymap: Keymap, commands: [Command, string][]): string {
  return commands
    .filter(([c]) => keymap[c].length > 0)
    .map(([c, label]) => `${keymap[c][0] === 'space' ? '␣' : keymap[c][0]} ${label}`)
    .join('  ');
}

/** The whole TUI: list panes on the left, shells on the right, overlays over the list side. */
export function App({ backend, size, onQuit, redraw }: AppProps) {
  const { exit } = useApp();
  const [state, dispatch] = useReducer(appReducer, undefined, () => initialState());
  const stateRef = useRef<AppState>(state);
  stateRef.current = state;
  const { keymap, warnings } = useMemo(() => buildKeymap(backend.keymapOverrides), [backend]);
  const reload = useEngineData(backend, dispatch);
  const terminal = useTerminalSize(size);
  const stripRows = pullStripRows(state.pulls, maxStripRows(terminal));
  const layout = screenLayout(terminal, state.shells.length > 0, stripRows);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const ctx: ActionContext = useMemo(() => ({ backend, dispatch, reload }), [backend, reload]);
  const shells = useShellPanes({ backend, dispatch, keymap, shells: state.shells, terminal, layout });

  useEffect(() => {
    if (warnings.length > 0) dispatch({ type: 'setStatus', status: { text: warnings.join('; '), level: 'error' } });
  }, [warnings]);
  // Messages give way to the key hints after a while (errors stay longer).
  useEffect(() => {
    if (!state.status) return;
    const status = state.status;
    const t = setTimeout(() => {
      if (stateRef.current.status === status) dispatch({ type: 'setStatus', status: undefined });
    }, status.level === 'error' ? STATUS_ERROR_MS : STATUS_INFO_MS);
    return () => clearTimeout(t);
  }, [state.status]);

  const quit = useCallback(() => {
    shells.sessions.closeAll();
    onQuit?.();
    exit();
  }, [shells.sessions, exit, onQuit]);
  useRemoteData(state, backend, dispatch);
  useStatsSampling(state.overlay.kind === 'stats', state.containers, backend, dispatch);
  useAppKeys({ stateRef, layoutRef, dispatch, keymap, ctx, shells, quit, reload, redraw });

  const view = state.panes[state.pane];
  const showFilter = state.editingFilter || view.filter !== '';
  const tableHeight = layout.innerHeight - (showFilter ? 1 : 0);
  const containers = visibleContainers(state);
  const images = visibleImages(state);
  const repositories = visibleRepositories(state);
  const listFocused = state.focus === 'list';
  const filterErrors = state.pane === 'containers' && view.filter ? parseContainerQuery(view.filter).errors : [];

  const selectedRepo = state.pane === 'repositories' ? selectedRepository(state) : undefined;
  const selectedTags = selectedRepo ? { repository: selectedRepo.repository, fetch: state.remote.tags[selectedRepo.repository], rows: tagRows(state, selectedRepo.repository) } : undefined;
  const o = state.overlay;
  let content;
  if (o.kind === 'help') content = <HelpOverlay keymap={keymap} pane={state.pane} offset={o.offset} width={layout.innerWidth} height={layout.innerHeight} />;
  else if (o.kind === 'inspect') content = <TextViewer title={o.title} lines={o.lines} offset={o.offset} width={layout.innerWidth} height={layout.innerHeight} />;
  else if (o.kind === 'confirm') content = <ConfirmDialog title={o.title} items={o.items} width={layout.innerWidth} height={layout.innerHeight} />;
  else if (o.kind === 'palette')
    content = (
      <PaletteOverlay
        items={paletteItems(keymap, state.pane, o.query)}
        argument={parsePaletteCommand(o.query)}
        query={o.query}
        cursor={o.cursor}
        selected={o.selected}
        width={layout.innerWidth}
        height={layout.innerHeight}
      />
    );
  else if (o.kind === 'tagPicker')
    content = (
      <TagPicker
        repository={o.repository}
        fetch={state.remote.tags[o.repository]}
        rows={tagRows(state, o.repository, o.query)}
        query={o.query}
        cursor={o.cursor}
        selected={o.selected}
        width={layout.innerWidth}
        height={layout.innerHeight}
      />
    );
  else if (o.kind === 'prompt')
    content =
      o.purpose === 'pull' ? (
        <PromptDialog title="Pull an image" label="reference: " text={o.text} cursor={o.cursor} hint="e.g. busybox:1.36 or 127.0.0.1:5000/app:v2 · enter pull · esc cancel" width={layout.innerWidth} height={layout.innerHeight} />
      ) : o.purpose === 'tag' ? (
        <PromptDialog title={`Tag ${o.source.replace(/^sha256:(.{12}).*/, '$1')}`} label="new name: " text={o.text} cursor={o.cursor} hint="e.g. myapp:v2 or 127.0.0.1:5000/team/app:1 · enter tag · esc cancel" width={layout.innerWidth} height={layout.innerHeight} />
      ) : (
        <PromptDialog title="Add a repository to the list" label="repository: " text={o.text} cursor={o.cursor} hint="e.g. 127.0.0.1:5000/app · its tags are fetched when selected" width={layout.innerWidth} height={layout.innerHeight} />
      );
  else if (o.kind === 'runForm') content = <RunFormDialog form={o.form} width={layout.innerWidth} height={layout.innerHeight} />;
  else if (o.kind === 'stats') {
    const running = containers.filter((c) => c.state.status === 'running' || c.state.status === 'paused');
    content = <StatsView containers={running} history={state.stats} offset={o.offset} width={layout.innerWidth} height={layout.innerHeight} />;
  } else if (o.kind === 'logs')
    content = (
      <LogsOverlay
        backend={backend}
        containerId={o.containerId}
        name={o.name}
        keymap={keymap}
        width={layout.innerWidth}
        height={layout.innerHeight}
        onClose={() => dispatch({ type: 'closeOverlay' })}
        onQuit={quit}
      />
    );
  else {
    const common = { view, width: layout.innerWidth, height: tableHeight, focused: listFocused };
    content = (
      <>
        {state.pane === 'containers' ? <ContainersPane {...common} containers={containers} now={state.now} loaded={state.loaded.containers} /> : null}
        {state.pane === 'images' ? <ImagesPane {...common} images={images} now={state.now} loaded={state.loaded.images} /> : null}
        {state.pane === 'repositories' ? <RepositoriesPane {...common} rows={repositories} tags={selectedTags} /> : null}
        {showFilter ? <FilterBar filter={view.filter} editing={state.editingFilter} cursor={state.filterCursor} errors={filterErrors} width={layout.innerWidth} /> : null}
      </>
    );
  }

  const shellKeys = `${keymap.toggleShellFocus[0] ?? ''} list  ${keymap.nextShell[0] ?? ''} next  ${keymap.closeShell[0] ?? ''} close`;
  const hint =
    state.focus === 'shell'
      ? `keys go to the shell — ${shellKeys}`
      : state.pane === 'containers'
        ? firstKeys(keymap, [['startStop', 'start/stop'], ['restart', 'restart'], ['pause', 'pause'], ['kill', 'kill'], ['logs', 'logs'], ['shell', 'shell'], ['stats', 'stats'], ['inspect', 'inspect'], ['filter', 'filter'], ['mark', 'mark'], ['delete', 'delete'], ['help', 'help'], ['quit', 'quit']])
        : state.pane === 'images'
          ? firstKeys(keymap, [['runImage', 'run'], ['pull', 'pull'], ['filter', 'filter'], ['mark', 'mark'], ['delete', 'delete'], ['inspect', 'inspect'], ['help', 'help'], ['quit', 'quit']])
          : firstKeys(keymap, [['pickTag', 'tags'], ['addRepository', 'add repo'], ['pull', 'pull'], ['filter', 'filter'], ['refresh', 'reload'], ['help', 'help'], ['quit', 'quit']]);

  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows}>
      <Header pane={state.pane} counts={{ containers: containers.length, images: images.length, repositories: repositories.filter((r) => r.kind === 'repository').length }} marked={view.marked.size} width={layout.columns} />
      <Box flexDirection="row" height={layout.bodyHeight}>
        <Box flexDirection="column" borderStyle="round" borderColor={listFocused ? 'cyan' : 'gray'} width={layout.listWidth} height={layout.bodyHeight}>
          {content}
        </Box>
        {state.shells.length > 0 ? (
          <ShellPane sessions={shells.sessions} shells={state.shells} active={state.activeShell} focused={state.focus === 'shell'} width={layout.shellWidth} height={layout.bodyHeight} keysHint={shellKeys} />
        ) : null}
      </Box>
      {stripRows > 0 ? <PullsStrip pulls={state.pulls} width={layout.columns} height={stripRows} /> : null}
      <StatusLine status={state.status} hint={hint} width={layout.columns} />
    </Box>
  );
}
