import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../../src/core/runtime/container-record.js';
import {
  CONTAINER_ACTIONS,
  CONTAINER_STATUSES,
  IllegalTransitionError,
  canTransition,
  isNoop,
  transition,
  type ContainerAction,
} from '../../src/core/runtime/container-state-machine.js';

// Reference: moby daemon/{start,stop,kill,pause,unpause,restart,delete,exec,attach,errors}.go and
// container/state.go. Each cell: the status the action leads to, '=' for an allowed no-op, or
// the error message (for a container the user called "abc").
type Cell = ContainerStatus | 'removed' | '=' | { error: string };
const err = (error: string): Cell => ({ error });

const NOT_RUNNING = err('container abc is not running');
const KILL_NOT_RUNNING = err('Cannot kill container: abc: container abc is not running');
const NOT_PAUSED = err('container abc is not paused');
const ATTACH_STOPPED = err('You cannot attach to a stopped container, start it first');
const MARKED = err('container is marked for removal and cannot be started');
const RESTARTING = err('container abc is restarting, wait until the container is running');
const NOT_RESTARTING = err('container abc is not restarting');
const NOT_BEING_REMOVED = err('container abc is not being removed');
const IN_PROGRESS = err('removal of container abc is already in progress');

const EXPECTED: Record<ContainerStatus, Record<ContainerAction, Cell>> = {
  created: {
    start: 'running', stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED,
    restart: 'running', remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING,
    attach: ATTACH_STOPPED, wait: '=', exited: NOT_RUNNING, autoRestart: NOT_RUNNING,
    restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
  },
  running: {
    start: '=', stop: 'exited', kill: 'exited', pause: 'paused', unpause: NOT_PAUSED,
    restart: 'running',
    remove: err('cannot remove container "abc": container is running: stop the container before removing or force remove'),
    forceRemove: 'removing', exec: '=', attach: '=', wait: '=', exited: 'exited',
    autoRestart: 'restarting', restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
  },
  paused: {
    start: err('cannot start a paused container, try unpause instead'), stop: 'exited', kill: 'exited',
    pause: err('container abc is already paused'), unpause: 'running', restart: 'running',
    remove: err('cannot remove container "abc": container is paused and must be unpaused first (or force remove)'),
    forceRemove: 'removing', exec: err('container abc is paused, unpause the container before exec'),
    attach: err('container abc is paused, unpause the container before attach'), wait: '=',
    exited: 'exited', autoRestart: 'restarting', restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
  },
  restarting: {
    start: '=', stop: 'exited', kill: 'exited', pause: RESTARTING, unpause: NOT_PAUSED, restart: 'running',
    remove: err('cannot remove container "abc": container is restarting: stop the container before removing or force remove'),
    forceRemove: 'removing', exec: RESTARTING, attach: RESTARTING, wait: '=', exited: 'exited',
    autoRestart: '=', restarted: 'running', removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
  },
  removing: {
    start: MARKED, stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED, restart: MARKED,
    remove: IN_PROGRESS, forceRemove: IN_PROGRESS, exec: NOT_RUNNING, attach: ATTACH_STOPPED, wait: '=',
    exited: NOT_RUNNING, autoRestart: NOT_RUNNING, restarted: NOT_RESTARTING, removed: 'removed',
    removeFailed: 'dead',
  },
  exited: {
    start: 'running', stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED,
    restart: 'running', remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING,
    attach: ATTACH_STOPPED, wait: '=', exited: NOT_RUNNING, autoRestart: NOT_RUNNING,
    restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
  },
  dead: {
    start: MARKED, stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED, restart: MARKED,
    remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING, attach: ATTACH_STOPPED, wait: '=',
    exited: NOT_RUNNING, autoRestart: NOT_RUNNING, restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
  },
};

const cells = CONTAINER_STATUSES.flatMap((status) =>
  CONTAINER_ACTIONS.map((action) => [status, action, EXPECTED[status][action]] as const),
);

describe('the transition table', () => {
  it('covers all 7 statuses × 16 actions', () => {
    expect(CONTAINER_STATUSES).toHaveLength(7);
    expect(CONTAINER_ACTIONS).toHaveLength(16);
    expect(cells).toHaveLength(112);
  });

  it.each(cells)('%s + %s', (status, action, cell) => {
    if (typeof cell === 'object') {
      expect(canTransition(status, action)).toBe(false);
      expect(isNoop(status, action)).toBe(false);
      let thrown: unknown;
      try {
        transition(status, action, 'abc');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(IllegalTransitionError);
      const e = thrown as IllegalTransitionError;
      expect(e.message).toBe(cell.error);
      expect([e.status, e.action, e.ref]).toEqual([status, action, 'abc']);
      return;
    }
    expect(canTransition(status, action)).toBe(true);
    expect(isNoop(status, action)).toBe(cell === '=');
    expect(transition(status, action, 'abc')).toBe(cell === '=' ? status : cell);
  });
});

describe('transition', () => {
  it('walks a typical lifecycle', () => {
    let s: ContainerStatus = 'created';
    s = transition(s, 'start');
    s = transition(s, 'pause');
    s = transition(s, 'unpause');
    s = transition(s, 'stop');
    s = transition(s, 'restart');
    s = transition(s, 'exited');
    s = transition(s, 'remove');
    expect(s).toBe('removing');
    expect(transition(s, 'removed')).toBe('removed');
  });

  it('leaves a container dead when its removal fails', () => {
    expect(transition(transition('exited', 'remove'), 'removeFailed')).toBe('dead');
    expect(transition('dead', 'remove')).toBe('removing');
  });

  it('words messages without a container when none is given', () => {
    expect(() => transition('paused', 'pause')).toThrow(/^container is already paused$/);
    expect(() => transition('exited', 'unpause')).toThrow(/^container is not paused$/);
    expect(() => transition('running', 'remove')).toThrow(
      /^cannot remove container: container is running: stop the container before removing or force remove$/,
    );
  });

  it('is an Error subclass with its name', () => {
    try {
      transition('created', 'exec', 'web');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).name).toBe('IllegalTransitionError');
      expect((e as Error).message).toBe('container web is not running');
    }
  });
});
