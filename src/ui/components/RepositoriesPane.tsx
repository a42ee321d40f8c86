import { Box } from 'ink';
import type { PaneView } from '../state/app-state.js';
import type { Fetch } from '../state/remote-state.js';
import type { RepositoryRow, TagRow } from '../state/selectors.js';
import type { ColumnSpec } from './columns.js';
import { RemoteTags } from './RemoteTags.js';
import { Table, type TableRow } from './Table.js';

const COLUMNS: ColumnSpec[] = [
  { title: 'REGISTRY / REPOSITORY', min: 16, grow: 3, priority: 9 },
  { title: 'LOCAL TAGS', min: 10, grow: 2, priority: 4 },
];

/** A repository's name below its registry's row: the registry is not repeated. */
function nameInRegistry(row: Extract<RepositoryRow, { kind: 'repository' }>): string {
  return row.repository.startsWith(`${row.registry}/`) ? row.repository.slice(row.registry.length + 1) : row.repository;
}

export function repositoryCells(row: RepositoryRow): string[] {
  return row.kind === 'registry' ? [row.registry, row.note] : [`  ${nameInRegistry(row)}`, row.localTags.join(', ')];
}

/** Rows the remote tags below the list take, for a pane of `height` rows. */
export function remoteTagsHeight(height: number): number {
  return Math.min(7, Math.max(3, Math.floor(height / 3)));
}

export interface RepositoriesPaneProps {
  rows: readonly RepositoryRow[];
  view: PaneView;
  width: number;
  height: number;
  focused: boolean;
  /** The remote tags of the selected repository, when one is selected. */
  tags?: { repository: string; fetch: Fetch<string[]> | undefined; rows: readonly TagRow[] };
}

/**
 * The registries (Docker Hub, configured, logged in, those of local images) with their
 * repositories, and below them the remote tags of the selected repository.
 */
export function RepositoriesPane(props: RepositoriesPaneProps) {
  const { rows, width, height, tags } = props;
  const tagsHeight = remoteTagsHeight(height);
  const rowsIn = (start: number, end: number): TableRow[] =>
    rows.slice(start, end).map((r) => ({ key: r.key, cells: repositoryCells(r), ...(r.kind === 'registry' ? { color: 'cyan' } : {}) }));
  const selected = rows[props.view.selected];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Table
        columns={COLUMNS}
        count={rows.length}
        rowsIn={rowsIn}
        selected={props.view.selected}
        marked={props.view.marked}
        width={width}
        height={height - tagsHeight}
        focused={props.focused}
        empty={props.view.filter ? 'no registry or repository matches the filter' : 'loading…'}
      />
      <RemoteTags registryNote={selected?.kind === 'registry' ? `${selected.registry}: ${selected.note}` : undefined} tags={tags} width={width} height={tagsHeight} />
    </Box>
  );
}
