// Filesystem tree snapshots for comparing tsdock's unpacked rootfs with a reference unpacker
// (umoci). A snapshot records what an image extractor is responsible for: type, permission bits
// (setuid/setgid/sticky included), owner, content, symlink target, device numbers, hardlinks
// and mtimes of non-directories. Directory mtimes are left out: they change whenever an entry
// is added below them, so no two extractors agree on them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface TreeEntry {
  /** Relative POSIX path without a leading `./`; the root itself is not listed. */
  path: string;
  type: EntryType;
  /** Permission bits incl. setuid/setgid/sticky: `mode & 0o7777`. */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files only. */
  size?: number;
  /** Regular files only: hex sha256 of the content. */
  sha256?: string;
  /** Symlinks only: the link text as stored (not resolved). */
  target?: string;
  /** Character/block devices only. */
  rdev?: { major: number; minor: number };
  /** Set when two or more paths of this tree share an inode: the group's first path (sorted),
   *  so the label is the same in two trees that link the same paths together. */
  hardlink?: string;
  /** Whole seconds; omitted for directories. */
  mtime?: number;
}

export type TreeField = Exclude<keyof TreeEntry, 'path'>;

/** Unpacks LAYOUT:TAG with umoci (the reference extractor) and returns BUNDLE/rootfs. */
export async function umociUnpack(layoutDir: string, tag: string, destBundle: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    execFile('umoci', ['unpack', '--image', `${layoutDir}:${tag}`, destBundle], { maxBuffer: 16 << 20 }, (err, _o, stderr) =>
      err ? reject(new Error(`umoci unpack ${layoutDir}:${tag} failed: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
  return join(destBundle, 'rootfs');
}

function typeOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  throw new Error('unknown file type');
}

// Linux dev_t encoding (glibc gnu_dev_major/minor).
function splitRdev(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** Lists every path under root (not root itself), sorted by path. */
export async function snapshotTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const inodes = new Map<string, TreeEntry[]>();
  const hashJobs: Array<{ entry: TreeEntry; abs: string }> = [];

  async function walk(rel: string): Promise<void> {
    const names = await readdir(rel ? join(root, rel) : root);
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(root, path);
      // bigint: inode numbers can exceed 2^53, and rdev needs all its bits
      const st = await lstat(abs, { bigint: true });
      const type = typeOf(st);
      const entry: TreeEntry = { path, type, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
      if (type === 'file') {
        entry.size = Number(st.size);
        hashJobs.push({ entry, abs });
      } else if (type === 'symlink') {
        entry.target = await readlink(abs);
      } else if (type === 'char' || type === 'block') {
        entry.rdev = splitRdev(st.rdev);
      }
      if (type !== 'dir') {
        entry.mtime = Number(st.mtimeMs / 1000n);
        if (st.nlink > 1n) {
          const key = `${st.dev}:${st.ino}`;
          inodes.set(key, [...(inodes.get(key) ?? []), entry]);
        }
      }
      entries.push(entry);
      if (type === 'dir') await walk(path);
    }
  }
  await walk('');

  // Hash with bounded parallelism: a distro rootfs has thousands of files.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < hashJobs.length) {
        const job = hashJobs[next++];
        job.entry.sha256 = await sha256File(job.abs);
      }
    }),
  );

  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  for (const group of inodes.values()) {
    if (group.length < 2) continue; // its other links are outside this tree
    group.sort(byPath);
    for (const e of group) e.hardlink = group[0].path;
  }
  return entries.sort(byPath);
}

const FIELDS: TreeField[] = ['type', 'mode', 'uid', 'gid', 'size', 'sha256', 'target', 'rdev', 'hardlink', 'mtime'];

function show(field: TreeField, v: unknown): string {
  if (v === undefined) return '(none)';
  if (field === 'mode') return `0${(v as number).toString(8).padStart(3, '0')}`;
  if (field === 'rdev') return `${(v as { major: number }).major}:${(v as { minor: number }).minor}`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/**
 * Human-readable differences between two snapshots; [] when equal.
 * ignore: fields not to compare (e.g. ['mtime']); labels: names of a and b in the messages.
 */
export function diffTrees(
  a: TreeEntry[],
  b: TreeEntry[],
  opts: { ignore?: TreeField[]; labels?: [string, string] } = {},
): string[] {
  const [la, lb] = opts.labels ?? ['a', 'b'];
  const ignore = new Set(opts.ignore ?? []);
  const mapA = new Map(a.map((e) => [e.path, e]));
  const mapB = new Map(b.map((e) => [e.path, e]));
  const paths = [...new Set([...mapA.keys(), ...mapB.keys()])].sort();
  const out: string[] = [];
  for (const p of paths) {
    const ea = mapA.get(p);
    const eb = mapB.get(p);
    if (!ea) {
      out.push(`${p}: only in ${lb} (${eb!.type})`);
      continue;
    }
    if (!eb) {
      out.push(`${p}: only in ${la} (${ea.type})`);
      continue;
    }
    for (const f of FIELDS) {
      if (ignore.has(f)) continue;
      const va = ea[f];
      const vb = eb[f];
      if (JSON.stringify(va) !== JSON.stringify(vb)) {
        out.push(`${p}: ${f} ${show(f, va)} (${la}) != ${show(f, vb)} (${lb})`);
      }
    }
  }
  return out;
}
