import { describe, expect, it } from 'vitest';
import { ZERO_TIME, type ContainerState } from '../../src/core/runtime/container-record.js';
import { createdText, statusText } from '../../src/core/runtime/container-status-text.js';

// Reference: moby container/state.go State.String() with go-units HumanDuration.

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function state(over: Partial<ContainerState>): ContainerState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    oomKilled: false,
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    error: '',
    ...over,
  };
}

describe('statusText', () => {
  it('Created', () => {
    expect(statusText(state({}), NOW)).toBe('Created');
  });

  it.each<[number, string]>([
    [0, 'Up Less than a second'],
    [999, 'Up Less than a second'],
    [1 * S, 'Up 1 second'],
    [5 * S, 'Up 5 seconds'],
    [59 * S, 'Up 59 seconds'],
    [60 * S, 'Up About a minute'],
    [2 * M, 'Up 2 minutes'],
    [59 * M, 'Up 59 minutes'],
    [60 * M, 'Up About an hour'],
    [3 * H, 'Up 3 hours'],
    [47 * H, 'Up 47 hours'],
    [3 * D, 'Up 3 days'],
    [15 * D, 'Up 2 weeks'],
    [70 * D, 'Up 2 months'],
    [800 * D, 'Up 2 years'],
  ])('running for %d ms: %s', (ms, text) => {
    expect(statusText(state({ status: 'running', pid: 42, startedAt: ago(ms) }), NOW)).toBe(text);
  });

  it('Up … (Paused)', () => {
    expect(statusText(state({ status: 'paused', pid: 42, startedAt: ago(2 * M) }), NOW)).toBe('Up 2 minutes (Paused)');
  });

  it('Restarting (code) … ago, from the end of the last run', () => {
    const s = state({ status: 'restarting', exitCode: 1, startedAt: ago(H), finishedAt: ago(3 * S) });
    expect(statusText(s, NOW)).toBe('Restarting (1) 3 seconds ago');
  });

  it('Exited (code) … ago', () => {
    const s = state({ status: 'exited', exitCode: 137, startedAt: ago(5 * H), finishedAt: ago(2 * H) });
    expect(statusText(s, NOW)).toBe('Exited (137) 2 hours ago');
    expect(statusText({ ...s, exitCode: 0, finishedAt: ago(0) }, NOW)).toBe('Exited (0) Less than a second ago');
  });

  it('prints nothing for an exited container without an end time, as Docker does', () => {
    expect(statusText(state({ status: 'exited', startedAt: ago(H) }), NOW)).toBe('');
  });

  it('Dead and Removal In Progress', () => {
    expect(statusText(state({ status: 'dead', startedAt: ago(H), finishedAt: ago(H) }), NOW)).toBe('Dead');
    expect(statusText(state({ status: 'removing' }), NOW)).toBe('Removal In Progress');
  });

  it('reads nanosecond and offset times', () => {
    const s = state({ status: 'running', startedAt: '2024-06-01T13:54:59.999999999+02:00' });
    expect(statusText(s, NOW)).toBe('Up 5 minutes');
  });

  it('never prints a negative or NaN duration', () => {
    expect(statusText(state({ status: 'running', startedAt: ago(-10 * S) }), NOW)).toBe('Up Less than a second');
    expect(statusText(state({ status: 'running', startedAt: 'garbage' }), NOW)).toBe('Up Less than a second');
    expect(statusText(state({ status: 'running', startedAt: ZERO_TIME }), NOW)).toBe('Up Less than a second');
  });
});

describe('createdText', () => {
  it('says how long ago', () => {
    expect(createdText(ago(2 * M), NOW)).toBe('2 minutes ago');
    expect(createdText(ago(3 * D), NOW)).toBe('3 days ago');
    expect(createdText(ago(500), NOW)).toBe('Less than a second ago');
  });

  it('N/A for an unknown time', () => {
    expect(createdText(ZERO_TIME, NOW)).toBe('N/A');
    expect(createdText('', NOW)).toBe('N/A');
  });
});
