// The container's argv from the image's ENTRYPOINT/CMD and the request, with Docker's merge
// rules (moby daemon/commit.go merge + create.go mergeAndVerifyConfig).
import type { ContainerDefaults } from '../images/image-config.js';
import { TsdockError } from '../errors.js';

export class NoCommandError extends TsdockError {
  override readonly name = 'NoCommandError';
  constructor() {
    super('invalid-argument', 'no command specified');
  }
}

/** Docker's Path/Args split of the final argv. */
export interface ProcessArgs {
  path: string;
  args: string[];
}

export interface ProcessArgsRequest {
  /** undefined: the image's; [] (or Docker's API form [""]) clears it. */
  entrypoint?: string[];
  /** undefined or []: the image's CMD, unless the entrypoint was overridden. */
  cmd?: string[];
}

export function resolveProcessArgs(image: ContainerDefaults | undefined, req: ProcessArgsRequest): ProcessArgs {
  const entrypointOverridden = req.entrypoint !== undefined;
  const entrypoint = cleared(entrypointOverridden ? req.entrypoint : image?.Entrypoint);
  // Overriding the entrypoint drops the image's CMD: it was written for the old entrypoint.
  const cmd = req.cmd && req.cmd.length > 0 ? req.cmd : entrypointOverridden ? [] : (image?.Cmd ?? []);
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new NoCommandError();
  return { path: argv[0], args: argv.slice(1) };
}

/** `--entrypoint ""` reaches Docker's daemon as [""], which it treats as no entrypoint. */
function cleared(entrypoint: string[] | null | undefined): string[] {
  if (!entrypoint || (entrypoint.length === 1 && entrypoint[0] === '')) return [];
  return entrypoint;
}
