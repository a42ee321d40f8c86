import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { release, RootedFs } from './rooted-fs.js';

/**
 * Small reads of single files inside a tree (a container's /etc/passwd, whether it has
 * /bin/bash), through RootedFs: the file is opened on its parent's descriptor without
 * following a symlink at its name, so a running container cannot swap it for a host file.
 */

/** The file's text, at most `maxBytes` of it; undefined when it is missing or not a regular file. */
export async function readFileInRoot(hostRoot: string, path: string, maxBytes = 1 << 20): Promise<string | undefined> {
  const root = await RootedFs.open(hostRoot);
  try {
    // A path that does not resolve inside the root has nothing to read.
    const loc = await root.locate(path, { followLast: true }).catch(() => undefined);
    if (!loc) return undefined;
    try {
      if (!loc.stat?.isFile()) return undefined;
      const fh = await open(loc.mount?.source ?? loc.parent!.child(loc.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const buf = Buffer.alloc(Math.min(maxBytes, loc.stat.size));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        return buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await fh.close();
      }
    } finally {
      await release(loc);
    }
  } finally {
    await root.close();
  }
}

/** Whether `path` is an executable regular file in the tree (symlinks followed inside it). */
export async function isExecutableInRoot(hostRoot: string, path: string): Promise<boolean> {
  // No root to look in: nothing in it is executable.
  const root = await RootedFs.open(hostRoot).catch(() => undefined);
  if (!root) return false;
  try {
    // A path that does not resolve inside the root has nothing to read.
    const loc = await root.locate(path, { followLast: true }).catch(() => undefined);
    if (!loc) return false;
    await release(loc);
    return loc.stat?.isFile() === true && (loc.stat.mode & 0o111) !== 0;
  } finally {
    await root.close();
  }
}
