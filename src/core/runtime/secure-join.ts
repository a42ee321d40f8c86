import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

export class PathEscapeError extends Error {}

/**
 * Resolves `path` inside `root` the way the container would see it: symlinks are followed
 * but interpreted relative to root, so nothing resolves outside it (like Go's securejoin).
 * Components that do not exist yet are kept as they are.
 */
export async function secureJoin(root: string, path: string): Promise<string> {
  let pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = posix.join(root, ...resolved, part);
    const st = await lstat(candidate).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++links > 40) throw new PathEscapeError(`too many levels of symbolic links resolving ${path}`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    resolved.push(part);
  }
  return posix.join(root, ...resolved);
}
