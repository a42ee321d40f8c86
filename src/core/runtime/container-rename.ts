import { join } from 'node:path';
import type { ContainerManager } from './container-manager.js';
import type { ContainerRecord } from './container-record.js';
import { validateName } from './container-names.js';
import { NoSuchContainerError } from './container-id.js';
import { StoreLock } from '../store/store-lock.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class RenameError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/**
 * Renames a container. Names are unique: the check and the write happen under the store lock
 * (which `create` takes to pick a name), and under the container's own lock so that a start or
 * stop writing the record at the same time cannot bring the old name back.
 */
export async function renameContainer(manager: ContainerManager, storeLock: StoreLock, query: string, newName: string): Promise<ContainerRecord> {
  if (query.trim() === '' || newName.trim() === '') throw new RenameError('Neither old nor new names may be empty');
  const found = await manager.find(query);
  let wanted: string;
  try {
    wanted = validateName(newName);
  } catch (err) {
    throw new RenameError(`Error when allocating new name: ${(err as Error).message}`);
  }
  const containerLock = new StoreLock(join(manager.paths.root, 'container-locks', found.id), 60_000);
  return containerLock.withLock(() =>
    storeLock.withLock(async () => {
      const all = await manager.containers.list();
      const rec = all.find((c) => c.id === found.id);
      if (!rec) throw new NoSuchContainerError(query);
      if (rec.name === wanted) throw new RenameError('Renaming a container with the same name as its current name', 'conflict');
      const other = all.find((c) => c.name === wanted);
      if (other) {
        throw new RenameError(`Error when allocating new name: Conflict. The container name "/${wanted}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`, 'conflict');
      }
      rec.name = wanted;
      await manager.containers.put(rec);
      return rec;
    }),
  );
}
