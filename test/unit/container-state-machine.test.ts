import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../../src/core/runtime/container-record.js';
import { errorKind } from '../../src/core/errors.js';
import { ZERO_TIME, type ContainerState } from '../../src/core/runtime/container-record.js';
import {
  applyTransition,
  initialState,
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
const NOT_STARTING = err('container abc is not being started');

const EXPECTED: Record<ContainerStatus, Record<ContainerAction, Cell>> = {
  created: {
    start: 'running', stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED,
    restart: 'running', remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING,
    attach: ATTACH_STOPPED, wait: '=', exited: NOT_RUNNING, autoRestart: NOT_RUNNING,
    restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
    startFailed: 'created',
  },
  running: {
    start: '=', stop: 'exited', kill: 'exited', pause: 'paused', unpause: NOT_PAUSED,
    restart: 'running',
    remove: err('cannot remove container "abc": container is running: stop the container before removing or force remove'),
    forceRemove: 'removing', exec: '=', attach: '=', wait: '=', exited: 'exited',
    autoRestart: 'restarting', restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
    startFailed: 'exited',
  },
  paused: {
    start: err('cannot start a paused container, try unpause instead'), stop: 'exited', kill: 'exited',
    pause: err('container abc is already paused'), unpause: 'running', restart: 'running',
    remove: err('cannot remove container "abc": container is paused and must be unpaused first (or force remove)'),
    forceRemove: 'removing', exec: err('container abc is paused, unpause the container before exec'),
    attach: err('container abc is paused, unpause the container before attach'), wait: '=',
    exited: 'exited', autoRestart: 'restarting', restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
    startFailed: 'exited',
  },
  restarting: {
    start: '=', stop: 'exited', kill: 'exited', pause: RESTARTING, unpause: NOT_PAUSED, restart: 'running',
    remove: err('cannot remove container "abc": container is restarting: stop the container before removing or force remove'),
    forceRemove: 'removing', exec: RESTARTING, attach: RESTARTING, wait: '=', exited: 'exited',
    autoRestart: '=', restarted: 'running', removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
    startFailed: 'exited',
  },
  removing: {
    start: MARKED, stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED, restart: MARKED,
    remove: IN_PROGRESS, forceRemove: IN_PROGRESS, exec: NOT_RUNNING, attach: ATTACH_STOPPED, wait: '=',
    exited: NOT_RUNNING, autoRestart: NOT_RUNNING, restarted: NOT_RESTARTING, removed: 'removed',
    removeFailed: 'dead',
    startFailed: NOT_STARTING,
  },
  exited: {
    start: 'running', stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED,
    restart: 'running', remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING,
    attach: ATTACH_STOPPED, wait: '=', exited: NOT_RUNNING, autoRestart: NOT_RUNNING,
    restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED, removeFailed: NOT_BEING_REMOVED,
    startFailed: 'exited',
  },
  dead: {
    start: MARKED, stop: '=', kill: KILL_NOT_RUNNING, pause: NOT_RUNNING, unpause: NOT_PAUSED, restart: MARKED,
    remove: 'removing', forceRemove: 'removing', exec: NOT_RUNNING, attach: ATTACH_STOPPED, wait: '=',
    exited: NOT_RUNNING, autoRestart: NOT_RUNNING, restarted: NOT_RESTARTING, removed: NOT_BEING_REMOVED,
    removeFailed: NOT_BEING_REMOVED,
    startFailed: NOT_STARTING,
  },
};

const cells = CONTAINER_STATUSES.flatMap((status) =>
  CONTAINER_ACTIONS.map((action) => [status, action, EXPECTED[status][action]] as const),
);

describe('the transition table', () => {
  it('covers all 7 statuses × 17 actions', () => {
    expect(CONTAINER_STATUSES).toHaveLength(7);
    expect(CONTAINER_ACTIONS).toHaveLength(17);
    expect(cells).toHaveLength(119);
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
      // Docker answers a request that contradicts the container's state with 409 Conflict.
      expect(errorKind(e)).toBe('conflict');
      if (action !== 'removed') expect(() => applyTransition({ ...initialState(), status }, action, {}, 'abc')).toThrow(IllegalTransitionError);
      return;
    }
    expect(canTransition(status, action)).toBe(true);
    expect(isNoop(status, action)).toBe(cell === '=');
    expect(transition(status, action, 'abc')).toBe(cell === '=' ? status : cell);
    if (action !== 'removed') expect(applyTransition({ ...initialState(), status }, action, {}, 'abc').status).toBe(cell === '=' ? status : cell);
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

describe('applyTransition', () => {
  const started = '2026-01-02T03:04:05.000Z';
  const ended = '2026-01-02T03:05:00.000Z';

  it('starts with a created state that never ran', () => {
    expect(initialState()).toEqual({ status: 'created', pid: 0, exitCode: 0, oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME, error: '' });
  });

  it('a start records the pid and start time and clears the last exit', () => {
    const before: ContainerState = { status: 'exited', pid: 0, exitCode: 3, oomKilled: true, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:01:00.000Z', error: 'x' };
    expect(applyTransition(before, 'start', { pid: 42, at: started })).toEqual({ status: 'running', pid: 42, exitCode: 0, oomKilled: false, startedAt: started, finishedAt: ZERO_TIME, error: '' });
    expect(before.status).toBe('exited');
  });

  it('an exit records the status, OOM, end time and error, and keeps the start time', () => {
    const running = applyTransition(initialState(), 'start', { pid: 42, at: started });
    expect(applyTransition(running, 'exited', { exitCode: 137, oomKilled: true, at: ended, error: '' })).toEqual({ status: 'exited', pid: 0, exitCode: 137, oomKilled: true, startedAt: started, finishedAt: ended, error: '' });
    const paused = applyTransition(running, 'pause');
    expect(paused).toEqual({ ...running, status: 'paused' });
    expect(applyTransition(paused, 'exited', { exitCode: 255, at: ended, error: 'monitor died' })).toMatchObject({ status: 'exited', exitCode: 255, error: 'monitor died', pid: 0 });
  });

  it('a failed start keeps a never-run container created and a ran-before one exited, with the exit code and error', () => {
    expect(applyTransition(initialState(), 'startFailed', { exitCode: 127, error: 'not found' })).toEqual({ ...initialState(), exitCode: 127, error: 'not found' });
    const exited: ContainerState = { status: 'exited', pid: 0, exitCode: 0, oomKilled: false, startedAt: started, finishedAt: ended, error: '' };
    expect(applyTransition(exited, 'startFailed', { exitCode: 126, error: 'denied' })).toEqual({ ...exited, exitCode: 126, error: 'denied' });
  });

  it('refuses what the table refuses, naming the container, with the kind conflict', () => {
    let thrown: unknown;
    try {
      applyTransition(initialState(), 'pause', {}, 'web');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect((thrown as Error).message).toBe('container web is not running');
    expect(errorKind(thrown)).toBe('conflict');
  });
});
