import type { PaneView } from '../state/app-state.js';
import type { RepositoryRow } from '../state/selectors.js';
import type { ColumnSpec } from './columns.js';
import { Table, type TableRow } from './Table.js';

const COLUMNS: ColumnSpec[] = [
  { title: 'REGISTRY', min: 10, grow: 1, max: 30, priority: 5 },
  { title: 'REPOSITORY', min: 14, grow: 3, priority: 9 },
  { title: 'LOCAL TAGS', min: 10, grow: 2, priority: 4 },
];

export interface RepositoriesPaneProps {
  repositories: readonly RepositoryRow[];
  view: PaneView;
  width: number;
  height: number;
  focused: boolean;
  loaded: boolean;
}

/** The repositories the user has images from, by registry, with their local tags. */
export function RepositoriesPane(props: RepositoriesPaneProps) {
  const { repositories } = props;
  const rowsIn = (start: number, end: number): TableRow[] =>
    repositories.slice(start, end).map((r) => ({ key: r.repository, cells: [r.registry, r.repository, r.tags.join(', ')] }));
  return (
    <Table
      columns={COLUMNS}
      count={repositories.length}
      rowsIn={rowsIn}
      selected={props.view.selected}
      marked={props.view.marked}
      width={props.width}
      height={props.height}
      focused={props.focused}
      empty={!props.loaded ? 'loading…' : 'no repositories yet: pull an image'}
    />
  );
}
