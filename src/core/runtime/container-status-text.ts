import { createdSince, humanDuration } from '../format/human.js';
import { ZERO_TIME, type ContainerState } from './container-record.js';

/**
 * Docker's STATUS column (moby container/state.go State.String()): how long the container has
 * been up, or how long ago it exited, in go-units' HumanDuration words.
 */
export function statusText(state: ContainerState, now: number): string {
  switch (state.status) {
    case 'running':
      return `Up ${since(state.startedAt, now)}`;
    case 'paused':
      return `Up ${since(state.startedAt, now)} (Paused)`;
    case 'restarting':
      // FinishedAt is when the previous run ended; the count is that run's exit code.
      return `Restarting (${state.exitCode}) ${since(state.finishedAt, now)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      // Docker prints nothing for a stopped container that never recorded an end time.
      if (isZero(state.finishedAt)) return '';
      return `Exited (${state.exitCode}) ${since(state.finishedAt, now)} ago`;
  }
}

/** The CREATED column: "2 minutes ago", or "N/A" when the time is unknown. */
export function createdText(iso: string, now: number): string {
  return createdSince(iso, now);
}

function since(iso: string, now: number): string {
  const t = Date.parse(iso);
  // A missing or unreadable time reads as "just now" rather than "NaN years".
  return humanDuration(Number.isNaN(t) || isZero(iso) ? 0 : Math.max(0, now - t));
}

function isZero(iso: string): boolean {
  return iso === ZERO_TIME || iso.startsWith('0001-01-01');
}
