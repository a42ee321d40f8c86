import { type ImageSummary, createdSince, humanSize } from '../../core/index.js';
import type { PaneView } from '../state/app-state.js';
import { imageKey } from '../state/selectors.js';
import type { ColumnSpec } from './columns.js';
import { Table, type TableRow } from './Table.js';

const COLUMNS: ColumnSpec[] = [
  { title: 'REPOSITORY', min: 12, grow: 3, priority: 9 },
  { title: 'TAG', min: 8, grow: 1, max: 30, priority: 8 },
  { title: 'IMAGE ID', min: 12, grow: 0, priority: 4 },
  { title: 'CREATED', min: 14, grow: 0, priority: 3 },
  { title: 'SIZE', min: 8, grow: 0, priority: 5 },
];
const ALIGNS = ['left', 'left', 'left', 'left', 'right'] as const;

export function imageCells(i: ImageSummary, now: number): string[] {
  return [i.repository, i.tag, i.id.replace(/^sha256:/, '').slice(0, 12), createdSince(i.created, now), humanSize(i.size)];
}

export interface ImagesPaneProps {
  images: readonly ImageSummary[];
  view: PaneView;
  now: number;
  width: number;
  height: number;
  focused: boolean;
  loaded: boolean;
}

/** REPOSITORY, TAG, ID, CREATED, SIZE as `tsdock images` shows them. */
export function ImagesPane(props: ImagesPaneProps) {
  const { images, now } = props;
  const rowsIn = (start: number, end: number): TableRow[] =>
    images.slice(start, end).map((i) => ({ key: imageKey(i), cells: imageCells(i, now), dim: i.tag === '<none>' }));
  return (
    <Table
      columns={COLUMNS}
      aligns={ALIGNS}
      count={images.length}
      rowsIn={rowsIn}
      selected={props.view.selected}
      marked={props.view.marked}
      width={props.width}
      height={props.height}
      focused={props.focused}
      empty={!props.loaded ? 'loading…' : props.view.filter ? 'no image matches the filter' : 'no images: pull one with `tsdock pull`'}
    />
  );
}
