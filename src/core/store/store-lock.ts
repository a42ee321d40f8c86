import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../process/process-alive.js';
import { TsdockError } from '../errors.js';

export class StoreLockTimeoutError extends TsdockError {
  constructor(path: string, holder: string) {
    super('unavailable', `the store is locked by another tsdock process (pid ${holder}, lock file ${path}); wait for it to finish or stop it`);
  }
}

/**
 * A cross-process mutex for short store mutations (tag maps, image records, deletes).
 * Node has no flock(), so the lock is a file created with O_EXCL holding the owner's pid;
 * a lock whose owner died (SIGKILL) is taken over, so a crash never wedges the store.
 */
export class StoreLock {
  constructor(private readonly path: string, private readonly timeoutMs = 30_000) {}

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      // A lock broken as stale by another process is already gone.
      await unlink(this.path).catch(() => {});
    }
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      try {
        const fh = await open(this.path, 'wx', 0o600);
        await fh.writeFile(String(process.pid));
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // Released meanwhile (or unreadable): treated as an empty holder, decided just below.
      const holder = (await readFile(this.path, 'utf8').catch(() => '')).trim();
      // An empty file is a holder killed between create and write, once it is a few seconds old.
      // (A lock file gone meanwhile is not old: the next try takes it.)
      const emptyAndOld = holder === '' && Date.now() - ((await stat(this.path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5_000;
      if ((holder !== '' && !processAlive(Number(holder))) || emptyAndOld) {
        await this.breakStale(holder);
        continue;
      }
      if (Date.now() > deadline) throw new StoreLockTimeoutError(this.path, holder || 'unknown');
      await sleep(delay);
    }
  }

  /** Moves the stale file aside first so two processes breaking it at once cannot remove a fresh lock. */
  private async breakStale(holder: string): Promise<void> {
    const aside = `${this.path}.stale-${process.pid}`;
    try {
      await rename(this.path, aside);
    } catch {
      // Someone else broke or released it first: nothing to do.
      return;
    }
    // Unreadable aside file: '' differs from the holder seen, so it is given back below.
    const content = (await readFile(aside, 'utf8').catch(() => '')).trim();
    if (content !== holder) {
      // Someone else took the lock between our read and the rename: give it back.
      // Best effort: should this fail, the other holder's file stays aside (a race of two stale-lock breakers).
      await rename(aside, this.path).catch(() => {});
      return;
    }
    // Only our own aside file: gone already is fine.
    await unlink(aside).catch(() => {});
  }
}
