import type { Digest } from '../oci/digest.js';

/** Per-layer states of a push, in Docker's words. */
export type PushPhase = 'preparing' | 'waiting' | 'pushing' | 'pushed' | 'exists' | 'mounted';

/** Progress of a push, for the CLI's progress lines and the TUI. Layers are named by diffID, as Docker shows them. */
export type PushEvent =
  | { type: 'layer'; diffId: Digest; phase: PushPhase; current?: number; total?: number; /** Repository a mounted blob came from. */ from?: string }
  | { type: 'done'; reference: string; tag: string; digest: Digest; size: number };

export type PushListener = (event: PushEvent) => void;
