import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp names carry the writer's pid so start-up cleanup can tell live writers from leftovers. */
export function tempName(dir: string, base: string): string {
  return join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}-${base}`);
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one,
 * even after SIGKILL or power loss: temp file + fsync + rename + fsync of the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, durable = true): Promise<void> {
  const dir = dirname(path);
  const tmp = tempName(dir, basename(path));
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    // The write's error is the one to report; a temp file left over is cleaned by its prefix.
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  if (durable) await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * `durable: false` skips the fsyncs: the rename still makes the write atomic against a killed
 * process, only a power loss could lose it. Used for container state, rewritten on every
 * start and stop where fsync latency is on `run`'s hot path.
 */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o644, durable = true): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', mode, durable);
}
