import { type ContainerRecord, statusText } from '../../core/index.js';
import type { PaneView } from '../state/app-state.js';
import type { ColumnSpec } from './columns.js';
import { Table, type TableRow } from './Table.js';

const COLUMNS: ColumnSpec[] = [
  { title: 'NAME', min: 10, grow: 1, max: 40, priority: 9 },
  { title: 'CONTAINER ID', min: 12, grow: 0, priority: 3 },
  { title: 'IMAGE', min: 10, grow: 2, max: 50, priority: 5 },
  { title: 'COMMAND', min: 8, grow: 2, priority: 2 },
  // "Exited (0) 2 minutes ago" fits; longer ones get the spare width of larger terminals.
  { title: 'STATUS', min: 24, grow: 1, max: 32, priority: 8 },
  // `127.0.0.1:38473->80/tcp` is 23 characters: ports take a large share of a wide terminal.
  { title: 'PORTS', min: 5, grow: 3, max: 40, priority: 1 },
];

/** A published port, when the record carries them (`-p`): Docker's `127.0.0.1:8080->80/tcp`. */
interface PublishedPort {
  hostIp?: string;
  hostPort?: number;
  containerPort?: number;
  protocol?: string;
}

export function portsText(rec: ContainerRecord): string {
  const ports = (rec.request as { ports?: unknown }).ports;
  if (!Array.isArray(ports)) return '';
  return (ports as PublishedPort[])
    .filter((p) => p && typeof p.containerPort === 'number')
    .map((p) => `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort ?? ''}->${p.containerPort}/${p.protocol ?? 'tcp'}`)
    .join(', ');
}

export function statusColor(rec: ContainerRecord): { color?: string; dim?: boolean } {
  switch (rec.state.status) {
    case 'running':
      return { color: 'green' };
    case 'paused':
    case 'restarting':
      return { color: 'yellow' };
    case 'exited':
      return rec.state.exitCode === 0 ? { dim: true } : { color: 'red' };
    case 'dead':
      return { color: 'red' };
    default:
      return { color: 'cyan' };
  }
}

export function containerCells(rec: ContainerRecord, now: number): string[] {
  return [rec.name, rec.id.slice(0, 12), rec.request.image, [rec.path, ...rec.args].join(' '), statusText(rec.state, now) || rec.state.status, portsText(rec)];
}

export interface ContainersPaneProps {
  containers: readonly ContainerRecord[];
  view: PaneView;
  now: number;
  width: number;
  height: number;
  focused: boolean;
  loaded: boolean;
}

/** NAME, ID, IMAGE, COMMAND, STATUS, PORTS of the (filtered) containers, newest first. */
export function ContainersPane(props: ContainersPaneProps) {
  const { containers, now } = props;
  const rowsIn = (start: number, end: number): TableRow[] =>
    containers.slice(start, end).map((c) => ({ key: c.id, cells: containerCells(c, now), ...statusColor(c) }));
  return (
    <Table
      columns={COLUMNS}
      count={containers.length}
      rowsIn={rowsIn}
      selected={props.view.selected}
      marked={props.view.marked}
      width={props.width}
      height={props.height}
      focused={props.focused}
      empty={!props.loaded ? 'loading…' : props.view.filter ? 'no container matches the filter' : 'no containers'}
    />
  );
}
