// `-v SOURCE:DEST[:MODE]` as Docker's Linux parser reads it (moby volume/mounts/linux_parser.go),
// with its messages: a bad spec is refused before anything is created.
import { posix } from 'node:path';
import { TsdockError, type ErrorKind } from '../errors.js';

/** Mount propagation modes a bind or volume may ask for (runc takes them as mount options). */
export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export interface VolumeSpec {
  /** Host path (bind), volume name, or undefined for an anonymous volume. */
  source?: string;
  destination: string;
  kind: 'bind' | 'volume';
  readOnly: boolean;
  propagation?: Propagation;
  /** `nocopy`: a new volume does not get the image's files at its path. */
  noCopy: boolean;
}

export class VolumeSpecError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const RW_MODES = new Set(['rw', 'ro']);
// SELinux relabelling: accepted and ignored (tsdock does not label).
const LABEL_MODES = new Set(['z', 'Z']);
const PROPAGATION_MODES = new Set<string>(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
// Docker Desktop's file sharing hints: accepted and ignored, as on Linux Docker.
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
const COPY_MODES = new Set(['nocopy']);
const GROUPS = [RW_MODES, LABEL_MODES, PROPAGATION_MODES, CONSISTENCY_MODES, COPY_MODES];

/** Docker's rule: comma-separated modes, each known, at most one of each kind (`ro,rw` is not). */
export function isValidMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = GROUPS.map(() => 0);
  for (const word of mode.split(',')) {
    const group = GROUPS.findIndex((g) => g.has(word));
    if (group < 0) return false;
    counts[group]!++;
  }
  return counts.every((n) => n <= 1);
}

export function parseVolumeSpec(raw: string): VolumeSpec {
  const parts = raw.split(':');
  let source: string | undefined;
  let destination: string;
  let mode = '';
  if (parts.length === 1) destination = parts[0]!;
  else if (parts.length === 2) {
    // `/data:ro` is a destination with a mode but no source: Docker refuses it.
    if (parts[1] !== '' && isValidMode(parts[1]!)) throw new VolumeSpecError(`invalid volume specification: '${raw}'`);
    [source, destination] = parts as [string, string];
  } else if (parts.length === 3) [source, destination, mode] = parts as [string, string, string];
  else throw new VolumeSpecError(`invalid volume specification: '${raw}'`);
  if (!isValidMode(mode)) throw new VolumeSpecError(`invalid mode: ${mode}`);
  if (source === '') throw new VolumeSpecError(`invalid volume specification: '${raw}'`);

  const kind = source !== undefined && (source.startsWith('/') || source.startsWith('.')) ? 'bind' : 'volume';
  const modes = mode === '' ? [] : mode.split(',');
  const noCopy = modes.includes('nocopy');
  if (kind === 'bind' && noCopy) throw new VolumeSpecError(`invalid mode: ${mode}`);
  const problem = destinationProblem(destination);
  if (problem) throw new VolumeSpecError(`invalid volume specification: '${raw}': invalid mount config for type "${kind}": ${problem}`);
  return {
    source,
    destination,
    kind,
    readOnly: modes.includes('ro'),
    propagation: modes.find((m) => PROPAGATION_MODES.has(m)) as Propagation | undefined,
    noCopy,
  };
}

function destinationProblem(destination: string): string | undefined {
  if (destination === '') return 'field Target must not be empty';
  if (!destination.startsWith('/')) return `invalid mount path: '${destination}' mount path must be absolute`;
  // A bind over the root would put the host directory in place of the container's rootfs
  // (runc then creates /dev, /proc and the /etc files in it).
  if (posix.normalize(destination) === '/') return "invalid specification: destination can't be '/'";
  return undefined;
}
