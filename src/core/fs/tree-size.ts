import { closeSync, lstatSync, openSync, readdirSync, type Stats } from 'node:fs';
import { Dir, DIR_FLAGS } from './rooted-fs.js';

/**
 * Bytes of the files in a tree (`ps -s`, `volume prune`), as Docker's directory.Size: directories
 * not counted, hard links once. The tree may belong to a running container, so each directory is
 * entered through its parent's descriptor with O_NOFOLLOW: a directory swapped for a symlink
 * during the walk is skipped, never followed out of the tree. Sizes are only reported, so what
 * vanishes or changes kind meanwhile counts as 0.
 */
export async function treeBytes(dir: string): Promise<number> {
  const seen = new Set<string>();
  const walk = (fd: number): number => {
    const d = new Dir(fd, '');
    let total = 0;
    for (const name of attempt(() => readdirSync(d.self())) ?? []) {
      const st: Stats | undefined = attempt(() => lstatSync(d.child(name)));
      if (!st) continue;
      if (st.isDirectory()) {
        const sub = attempt(() => openSync(d.child(name), DIR_FLAGS));
        if (sub !== undefined) total += walkAndClose(sub);
      } else if (st.nlink < 2 || !seen.has(`${st.dev}:${st.ino}`)) {
        if (st.nlink > 1) seen.add(`${st.dev}:${st.ino}`);
        total += st.size;
      }
    }
    return total;
  };
  const walkAndClose = (fd: number): number => {
    try {
      return walk(fd);
    } finally {
      closeSync(fd);
    }
  };
  // No tree (a container never started) or not a directory: nothing was written.
  const root = attempt(() => openSync(dir, DIR_FLAGS));
  return root === undefined ? 0 : walkAndClose(root);
}

/** The value, or undefined when the entry vanished or was swapped (the walk counts it as 0). */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
