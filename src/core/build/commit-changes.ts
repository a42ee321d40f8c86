import { DockerfileSyntaxError, parseDockerfile } from './dockerfile.js';
import { isCommitChange, type ConfigInstruction } from './config-instructions.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class CommitChangeError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/**
 * `commit -c` values: Dockerfile instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER,
 * VOLUME, WORKDIR, STOPSIGNAL), one per value, read with the Dockerfile parser as Docker does.
 */
export function parseCommitChanges(changes: readonly string[]): ConfigInstruction[] {
  if (changes.length === 0) return [];
  // The parser wants a stage; the FROM line is ours, so line numbers are shifted back by one.
  let parsed;
  try {
    parsed = parseDockerfile(['FROM scratch', ...changes].join('\n'));
  } catch (err) {
    if (!(err instanceof DockerfileSyntaxError)) throw err;
    const what = err.message.replace(/^Dockerfile:\d+: /, '');
    throw new CommitChangeError(`dockerfile parse error on change ${err.line - 1} (${JSON.stringify(changes[err.line - 2] ?? '')}): ${what}`);
  }
  const instructions = parsed.stages.flatMap((s) => s.instructions).filter((i) => i.kind !== 'FROM');
  if (parsed.stages.length !== 1 || parsed.metaArgs.length > 0) throw new CommitChangeError('FROM is not a valid change command');
  for (const i of instructions) {
    if (!isCommitChange(i)) throw new CommitChangeError(`${i.kind} is not a valid change command`);
  }
  return instructions as ConfigInstruction[];
}
