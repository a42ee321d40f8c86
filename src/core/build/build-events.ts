import type { PullEvent } from '../images/pull-events.js';

/**
 * What a build reports as it goes, in the order Docker's legacy builder prints it; the CLI
 * prints these lines, a UI can render them its own way.
 */
export type BuildEvent =
  /** "Sending build context to Docker daemon  2.048kB" */
  | { type: 'context'; bytes: number }
  /** "Step 3/7 : RUN make" */
  | { type: 'step'; step: number; total: number; text: string }
  /** A FROM image is pulled. */
  | { type: 'pull'; reference: string; event: PullEvent }
  /** " ---> Using cache" */
  | { type: 'cache-hit' }
  /** " ---> Running in 5d1c3c4f7b0a" */
  | { type: 'running'; containerId: string }
  /** What a RUN's process writes. */
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: Buffer }
  /** "Removing intermediate container 5d1c3c4f7b0a" */
  | { type: 'container-removed'; containerId: string }
  /** " ---> 8f4c5b0e1c0d": the image the step ended with ('' for FROM scratch). */
  | { type: 'step-done'; imageId: string }
  | { type: 'warning'; message: string }
  /** "Successfully built 8f4c5b0e1c0d" */
  | { type: 'built'; imageId: string }
  /** "Successfully tagged name:tag" */
  | { type: 'tagged'; reference: string };

export type BuildListener = (event: BuildEvent) => void;
