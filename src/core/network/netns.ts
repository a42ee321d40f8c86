// Named network namespaces (`ip netns`): a bind mount under /run/netns that outlives the
// container's processes, so CNI DEL can still find the interfaces after a crash.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, CommandFailedError } from '../process/run-command.js';

export const NETNS_DIR = '/run/netns';

/** tsdock's name for a container's namespace. */
export function netnsName(containerId: string): string {
  return `tsdock-${containerId.slice(0, 12)}`;
}

export function netnsPath(name: string): string {
  return join(NETNS_DIR, name);
}

export async function netnsExists(name: string): Promise<boolean> {
  return access(netnsPath(name)).then(() => true, () => false);
}

/** Creates the namespace (replacing a leftover of the same name) with loopback up. */
export async function createNetns(name: string): Promise<string> {
  if (await netnsExists(name)) await deleteNetns(name);
  await runCommand('ip', ['netns', 'add', name]);
  try {
    await runCommand('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    // Undoing a failed creation: its error is the one to report.
    await deleteNetns(name).catch(() => {});
    throw err;
  }
  return netnsPath(name);
}

/** Deletes the namespace; one that is already gone is fine. */
export async function deleteNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) return;
  try {
    await runCommand('ip', ['netns', 'delete', name]);
  } catch (err) {
    if (err instanceof CommandFailedError && /No such file/.test(err.stderr) && !(await netnsExists(name))) return;
    throw err;
  }
}
