import type { ContainerState, ContainerStatus } from './container-record.js';
import { ZERO_TIME } from './container-record.js';
import { TsdockError } from '../errors.js';

/**
 * What can happen to a container: commands a user gives, and events the runtime observes.
 *
 * - `forceRemove` is `rm -f`: the runtime kills a live process first, then removes.
 * - `exited`: the process ended and nothing will start it again.
 * - `autoRestart`: the process ended and a restart policy will start it again (Docker's
 *   "restarting"); `restarted` is that new process being up.
 * - `removed` / `removeFailed`: the end of a removal; a failed one leaves the container dead,
 *   as Docker does when it cannot delete the container's files.
 * - `startFailed`: a start that did not get the process running. Docker keeps the container
 *   "created" when it never ran and "exited" when it had; a start over a live record (`start -a`
 *   of a running container) removed its old process first, so that one is exited too.
 */
export type ContainerAction =
  | 'start'
  | 'stop'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'restart'
  | 'remove'
  | 'forceRemove'
  | 'exec'
  | 'attach'
  | 'wait'
  | 'exited'
  | 'autoRestart'
  | 'restarted'
  | 'removed'
  | 'removeFailed'
  | 'startFailed';

/** Where `removed` leads: the container no longer exists, so there is no status to store. */
export type Removed = 'removed';

export const CONTAINER_STATUSES: readonly ContainerStatus[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

export const CONTAINER_ACTIONS: readonly ContainerAction[] = [
  'start',
  'stop',
  'kill',
  'pause',
  'unpause',
  'restart',
  'remove',
  'forceRemove',
  'exec',
  'attach',
  'wait',
  'exited',
  'autoRestart',
  'restarted',
  'removed',
  'removeFailed',
  'startFailed',
];

export class IllegalTransitionError extends TsdockError {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly status: ContainerStatus,
    readonly action: ContainerAction,
    /** The container as the user named it, when the caller passed it. */
    readonly ref: string | undefined,
    message: string,
  ) {
    super('conflict', message);
  }
}

type Refusal = (ref: string | undefined) => string;
type Outcome =
  | { readonly to: ContainerStatus | Removed; readonly noop: boolean }
  | { readonly refuse: Refusal };

const go = (to: ContainerStatus | Removed): Outcome => ({ to, noop: false });
/** Allowed, and nothing changes: Docker answers these with 304 Not Modified, or they only observe. */
const stay = (s: ContainerStatus): Outcome => ({ to: s, noop: true });
const refuse = (r: Refusal): Outcome => ({ refuse: r });

// " abc" when the caller named the container, "" otherwise, so messages read well either way.
const sp = (ref: string | undefined): string => (ref ? ` ${ref}` : '');
const q = (ref: string | undefined): string => (ref ? ` "${ref}"` : '');

// Wording follows moby's daemon (daemon/errors.go, pause.go, unpause.go, start.go, delete.go,
// exec.go, attach.go, kill route) so scripts matching Docker's errors keep working.
const notRunning = refuse((r) => `container${sp(r)} is not running`);
const killNotRunning = refuse((r) => `Cannot kill container:${sp(r)}: container${sp(r)} is not running`);
const notPaused = refuse((r) => `container${sp(r)} is not paused`);
const alreadyPaused = refuse((r) => `container${sp(r)} is already paused`);
const isRestarting = refuse((r) => `container${sp(r)} is restarting, wait until the container is running`);
const execPaused = refuse((r) => `container${sp(r)} is paused, unpause the container before exec`);
const attachPaused = refuse((r) => `container${sp(r)} is paused, unpause the container before attach`);
const attachStopped = refuse(() => 'You cannot attach to a stopped container, start it first');
const startPaused = refuse(() => 'cannot start a paused container, try unpause instead');
const markedForRemoval = refuse(() => 'container is marked for removal and cannot be started');
const removeLive = (state: ContainerStatus): Outcome =>
  refuse((r) => `cannot remove container${q(r)}: container is ${state}: stop the container before removing or force remove`);
const removePaused = refuse(
  (r) => `cannot remove container${q(r)}: container is paused and must be unpaused first (or force remove)`,
);
const removalInProgress = refuse((r) => `removal of container${sp(r)} is already in progress`);
// Runtime events arriving in the wrong state are tsdock bugs or races, not user mistakes.
const notRestarting = refuse((r) => `container${sp(r)} is not restarting`);
const notBeingRemoved = refuse((r) => `container${sp(r)} is not being removed`);
const notStarting = refuse((r) => `container${sp(r)} is not being started`);

/** The whole lifecycle: every status × every action, checked complete by the compiler. */
const TABLE: Readonly<Record<ContainerStatus, Readonly<Record<ContainerAction, Outcome>>>> = {
  created: {
    start: go('running'),
    stop: stay('created'),
    kill: killNotRunning,
    pause: notRunning,
    unpause: notPaused,
    restart: go('running'),
    remove: go('removing'),
    forceRemove: go('removing'),
    exec: notRunning,
    attach: attachStopped,
    wait: stay('created'),
    exited: notRunning,
    autoRestart: notRunning,
    restarted: notRestarting,
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: go('created'),
  },
  running: {
    start: stay('running'),
    stop: go('exited'),
    kill: go('exited'),
    pause: go('paused'),
    unpause: notPaused,
    restart: go('running'),
    remove: removeLive('running'),
    forceRemove: go('removing'),
    exec: stay('running'),
    attach: stay('running'),
    wait: stay('running'),
    exited: go('exited'),
    autoRestart: go('restarting'),
    restarted: notRestarting,
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: go('exited'),
  },
  paused: {
    start: startPaused,
    // Docker signals a paused container and thaws it so the signal is delivered.
    stop: go('exited'),
    kill: go('exited'),
    pause: alreadyPaused,
    unpause: go('running'),
    restart: go('running'),
    remove: removePaused,
    forceRemove: go('removing'),
    exec: execPaused,
    attach: attachPaused,
    wait: stay('paused'),
    exited: go('exited'),
    autoRestart: go('restarting'),
    restarted: notRestarting,
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: go('exited'),
  },
  restarting: {
    // Docker counts a restarting container as running, so start is "already running".
    start: stay('restarting'),
    stop: go('exited'),
    kill: go('exited'),
    pause: isRestarting,
    unpause: notPaused,
    restart: go('running'),
    remove: removeLive('restarting'),
    forceRemove: go('removing'),
    exec: isRestarting,
    attach: isRestarting,
    wait: stay('restarting'),
    exited: go('exited'),
    autoRestart: stay('restarting'),
    restarted: go('running'),
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: go('exited'),
  },
  removing: {
    start: markedForRemoval,
    stop: stay('removing'),
    kill: killNotRunning,
    pause: notRunning,
    unpause: notPaused,
    restart: markedForRemoval,
    remove: removalInProgress,
    forceRemove: removalInProgress,
    exec: notRunning,
    attach: attachStopped,
    wait: stay('removing'),
    exited: notRunning,
    autoRestart: notRunning,
    restarted: notRestarting,
    removed: go('removed'),
    removeFailed: go('dead'),
    startFailed: notStarting,
  },
  exited: {
    start: go('running'),
    stop: stay('exited'),
    kill: killNotRunning,
    pause: notRunning,
    unpause: notPaused,
    restart: go('running'),
    remove: go('removing'),
    forceRemove: go('removing'),
    exec: notRunning,
    attach: attachStopped,
    wait: stay('exited'),
    exited: notRunning,
    autoRestart: notRunning,
    restarted: notRestarting,
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: go('exited'),
  },
  dead: {
    start: markedForRemoval,
    stop: stay('dead'),
    kill: killNotRunning,
    pause: notRunning,
    unpause: notPaused,
    restart: markedForRemoval,
    remove: go('removing'),
    forceRemove: go('removing'),
    exec: notRunning,
    attach: attachStopped,
    wait: stay('dead'),
    exited: notRunning,
    autoRestart: notRunning,
    restarted: notRestarting,
    removed: notBeingRemoved,
    removeFailed: notBeingRemoved,
    startFailed: notStarting,
  },
};

/**
 * The status `action` leads to from `status`, or an IllegalTransitionError saying why not.
 * `ref` (the name or ID the user typed) makes the message name the container, as Docker's do.
 * `stop`/`kill` lead to `exited` assuming the signal ends the process; with a signal the process
 * survives, the caller keeps the status and waits for the `exited` event instead.
 */
export function transition(status: ContainerStatus, action: 'removed', ref?: string): Removed;
export function transition(status: ContainerStatus, action: Exclude<ContainerAction, 'removed'>, ref?: string): ContainerStatus;
export function transition(status: ContainerStatus, action: ContainerAction, ref?: string): ContainerStatus | Removed;
export function transition(status: ContainerStatus, action: ContainerAction, ref?: string): ContainerStatus | Removed {
  const outcome = TABLE[status][action];
  if ('refuse' in outcome) throw new IllegalTransitionError(status, action, ref, outcome.refuse(ref));
  return outcome.to;
}

export function canTransition(status: ContainerStatus, action: ContainerAction): boolean {
  return !('refuse' in TABLE[status][action]);
}

/**
 * Allowed but changes nothing (start on a running container, stop on a stopped one, wait, exec):
 * the command succeeds without touching the process, as Docker's 304 Not Modified answers do.
 */
export function isNoop(status: ContainerStatus, action: ContainerAction): boolean {
  const outcome = TABLE[status][action];
  return !('refuse' in outcome) && outcome.noop;
}

/** What an event brings with it; fields the event does not use are ignored. */
export interface TransitionDetails {
  /** `start`: the container's process on the host. */
  pid?: number;
  /** `exited`, `startFailed`: the exit status to record. */
  exitCode?: number;
  /** `exited`: whether the kernel's OOM killer ended it. */
  oomKilled?: boolean;
  /** `start`: when it started; `exited`: when it ended (ISO time, now when absent). */
  at?: string;
  /** `exited`, `startFailed`: what went wrong ('' for a normal exit). */
  error?: string;
}

/** A new container's state: created, never run. */
export function initialState(): ContainerState {
  return { status: 'created', pid: 0, exitCode: 0, oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME, error: '' };
}

/**
 * The one place a container's status changes (runc's libcontainer/state_linux.go): the table
 * decides the next status, or refuses with an IllegalTransitionError; the event fills in the
 * fields that go with it (pid and start time for a start, exit status and end time for an exit).
 * Returns a new state; the caller stores it.
 */
export function applyTransition(state: ContainerState, action: Exclude<ContainerAction, 'removed'>, details: TransitionDetails = {}, ref?: string): ContainerState {
  const status = transition(state.status, action, ref);
  switch (action) {
    case 'start':
    case 'restart':
    case 'restarted':
      return { ...state, status, pid: details.pid ?? 0, exitCode: 0, oomKilled: false, startedAt: details.at ?? new Date().toISOString(), finishedAt: ZERO_TIME, error: '' };
    case 'exited':
      return {
        ...state,
        status,
        pid: 0,
        exitCode: details.exitCode ?? state.exitCode,
        oomKilled: details.oomKilled ?? false,
        finishedAt: details.at ?? new Date().toISOString(),
        error: details.error ?? '',
      };
    case 'startFailed':
      return { ...state, status, pid: 0, exitCode: details.exitCode ?? state.exitCode, error: details.error ?? '' };
    default:
      return { ...state, status };
  }
}
