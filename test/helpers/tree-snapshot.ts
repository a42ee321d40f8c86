import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Everything under a directory, as comparable text (type, mode, owner, size, content hash or
 * link target; mtimes of files too): a canary tree that an attack must leave untouched is
 * snapshot before and compared after.
 */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (abs: string, rel: string): Promise<void> => {
    const st = await lstat(abs);
    const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) out[rel] = `link ${meta} -> ${await readlink(abs)}`;
    else if (st.isFile()) out[rel] = `file ${meta} ${st.size} ${st.mtimeMs} ${createHash('sha256').update(await readFile(abs)).digest('hex')}`;
    else if (st.isDirectory()) {
      const names = (await readdir(abs)).sort();
      out[rel] = `dir ${meta} [${names.join(',')}]`;
      for (const n of names) await walk(join(abs, n), rel === '' ? n : `${rel}/${n}`);
    } else out[rel] = `other ${meta}`;
  };
  await walk(root, '');
  return out;
}
