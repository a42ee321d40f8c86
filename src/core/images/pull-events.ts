import type { Digest } from '../oci/digest.js';

/** Per-layer states, in Docker's words where it has them. */
export type LayerPhase = 'waiting' | 'exists' | 'downloading' | 'verifying' | 'extracting' | 'complete';

/** Progress of a pull, for the CLI's progress lines and the TUI's bars. */
export type PullEvent =
  | { type: 'resolved'; reference: string; manifestDigest: Digest; layers: { digest: Digest; size: number }[] }
  | { type: 'layer'; digest: Digest; phase: LayerPhase; current?: number; total?: number }
  | { type: 'done'; reference: string; manifestDigest: Digest; imageId: Digest; downloaded: boolean };

export type PullListener = (event: PullEvent) => void;
