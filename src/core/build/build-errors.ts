// The errors of a build the front ends present differently (Docker's legacy builder prints a failed
// RUN bare and a Dockerfile parse error as the daemon's answer). Their own module, so that the
// door (core/index.ts) can name them without loading the builder at every start-up.
import { TsdockError } from '../errors.js';

/** A step failed: the message is Docker's, `line` the Dockerfile line of the instruction. */
export class BuildStepError extends TsdockError {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super('invalid-argument', message);
  }
}

/** A RUN step's command exited non-zero. */
export class RunStepFailedError extends BuildStepError {}

/** The Dockerfile does not parse; the message names its line. */
export class DockerfileSyntaxError extends TsdockError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super('invalid-argument', `Dockerfile:${line}: ${message}`);
  }
}
