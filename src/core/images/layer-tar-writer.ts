import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { release, RootedFs, type Dir } from '../fs/rooted-fs.js';
import { encodeEntryHeader, type TarEntryType, type TarHeaderFields } from '../fs/tar-header.js';
import { Readable } from 'node:stream';
import { isWhiteout, OpaqueReader, type LowerView } from '../fs/overlay-view.js';

/**
 * A directory of changes (a container's overlay upper dir, or a directory a build step filled)
 * as a layer tar: entries depth first with siblings in byte order (so the same tree always
 * gives the same bytes), owners, modes and mtimes as on disk, symlinks, hardlinks within the
 * layer, and overlay whiteouts turned into OCI ones (`.wh.<name>`, `.wh..wh..opq`).
 */

export type LayerEntryType = TarEntryType;

export interface LayerEntry extends TarHeaderFields {
  /** Host file whose bytes are the entry's data (regular files). */
  source?: string;
}

export interface LayerTreeOptions {
  /** Read the directory as an overlay upper dir: whiteouts and opaque directories become OCI entries. */
  overlay?: boolean;
  /** Paths (absolute, as in the container) left out with everything below them. */
  exclude?: (path: string) => boolean;
  /**
   * The image below the changes. A directory the lower layers have with the same owner and
   * mode, and with nothing kept inside, was only copied up (for an excluded mount point, say):
   * it is left out, so a step that changed nothing makes an empty layer.
   */
  lower?: LowerView;
}

const OPAQUE_MARKER = '.wh..wh..opq';
const BLOCK = 512;

/** The OCI whiteout entry that deletes `path` (relative) in the layers below. */
export function whiteoutEntryName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? `.wh.${path}` : `${path.slice(0, i + 1)}.wh.${path.slice(i + 1)}`;
}

/** The OCI entry that makes directory `dir` (relative) hide what the layers below have in it. */
export function opaqueEntryName(dir: string): string {
  return `${dir}/${OPAQUE_MARKER}`;
}

/** Docker's order: siblings by their bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Linux dev_t split the way glibc's major()/minor() do. */
function deviceNumbers(rdev: number): { devmaj: number; devmin: number } {
  const big = BigInt(rdev);
  const devmaj = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const devmin = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return { devmaj, devmin };
}

/** Every entry of the layer, in tar order. An empty list means the directory holds no change. */
export async function collectLayerEntries(root: string, opts: LayerTreeOptions = {}): Promise<LayerEntry[]> {
  // No layer directory: an empty layer.
  const rootSt = await lstat(root).catch(() => undefined);
  if (!rootSt?.isDirectory()) return [];
  const opaque = new OpaqueReader();
  if (opts.overlay) {
    const dirs: string[] = [];
    await collectDirs(root, dirs);
    await opaque.scanTree(root, dirs);
  }
  const walker = new TreeWalker(root, opts, opaque);
  const tree = await RootedFs.open(root);
  try {
    return await walker.walk(tree.root, '');
  } finally {
    await tree.close();
  }
}

async function collectDirs(dir: string, out: string[]): Promise<void> {
  out.push(dir);
  // A directory removed while it is read contributes no entries.
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await collectDirs(join(dir, e.name), out);
  }
}

class TreeWalker {
  /** First path of each multiply linked inode, for hardlink entries. */
  private readonly inodes = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly opts: LayerTreeOptions,
    private readonly opaque: OpaqueReader,
  ) {}

  /**
   * The entries below `dir` (held open: the walk goes through descriptors, so a running
   * container that swaps a directory for a symlink cannot make it list or read host files;
   * what vanishes meanwhile is left out).
   */
  async walk(dir: Dir, rel: string): Promise<LayerEntry[]> {
    const names = (await readdir(dir.self())).sort(byteOrder);
    const out: LayerEntry[] = [];
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (this.opts.exclude?.(`/${path}`)) continue;
      const abs = join(this.root, path);
      // An entry removed while the layer is read is skipped (the tar records what is there).
      const st = await lstat(dir.child(name)).catch(() => undefined);
      if (!st) continue; // removed while we read
      if (this.opts.overlay && isWhiteout(st)) {
        out.push({ name: whiteoutEntryName(path), type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: st.mtime, size: 0 });
        continue;
      }
      if (st.isDirectory()) {
        // A directory swapped or removed while it is read is skipped, never followed.
        const sub = await dir.openChild(name, `/${path}`).catch(() => undefined);
        if (!sub) continue; // swapped for something else meanwhile
        try {
          out.push(...(await this.directory(sub, path, abs, st)));
        } finally {
          await sub.close();
        }
        continue;
      }
      const entry = await this.nonDirectory(path, abs, dir.child(name), st);
      if (entry) out.push(entry);
    }
    return out;
  }

  private async directory(dir: Dir, path: string, abs: string, st: Stats): Promise<LayerEntry[]> {
    const isOpaque = this.opts.overlay === true && (await this.opaque.isOpaque(abs));
    const children = await this.walk(dir, path);
    if (!isOpaque && children.length === 0 && this.opts.lower) {
      const below = await this.opts.lower.lookup(`/${path}`);
      if (below?.isDirectory() && below.mode === st.mode && below.uid === st.uid && below.gid === st.gid) return [];
    }
    const self: LayerEntry = { name: `${path}/`, type: 'Directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
    const marker: LayerEntry[] = isOpaque ? [{ name: opaqueEntryName(path), type: 'File', mode: 0o644, uid: 0, gid: 0, mtime: st.mtime, size: 0 }] : [];
    return [self, ...marker, ...children];
  }

  private async nonDirectory(path: string, abs: string, child: string, st: Stats): Promise<LayerEntry | undefined> {
    const base = { name: path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
    if (st.nlink > 1 && !st.isSymbolicLink()) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) return { ...base, type: 'Link', linkpath: first };
      this.inodes.set(key, path);
    }
    if (st.isFile()) return { ...base, type: 'File', size: st.size, source: abs };
    if (st.isSymbolicLink()) {
      // A link removed while the layer is read is skipped.
      const linkpath = await readlink(child).catch(() => undefined);
      return linkpath === undefined ? undefined : { ...base, type: 'SymbolicLink', linkpath }; // undefined: removed meanwhile
    }
    if (st.isCharacterDevice()) return { ...base, type: 'CharacterDevice', ...deviceNumbers(st.rdev) };
    if (st.isBlockDevice()) return { ...base, type: 'BlockDevice', ...deviceNumbers(st.rdev) };
    if (st.isFIFO()) return { ...base, type: 'FIFO' };
    return undefined; // sockets are not archived (as Docker)
  }
}

/**
 * The uncompressed tar of the entries, with file data read as it streams. Each file is opened
 * through RootedFs inside `root` (the directory the entries were collected from):
 * a running container (commit --pause=false) that swaps a directory for a symlink cannot make
 * the layer carry a host file.
 */
export function layerTarStream(entries: LayerEntry[], root: string): Readable {
  return Readable.from(tarChunks(entries, root), { objectMode: false });
}

async function* tarChunks(entries: LayerEntry[], rootDir: string): AsyncGenerator<Buffer> {
  const root = await RootedFs.open(rootDir);
  try {
    for (const e of entries) {
      yield encodeEntryHeader(e);
      if (e.type !== 'File' || e.size === 0 || !e.source) continue;
      yield* fileData(await openInRoot(root, relative(rootDir, e.source)), e.size);
      const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(BLOCK * 2); // end of archive
  } finally {
    await root.close();
  }
}

/** A regular file of the tree, opened on its parent's descriptor without following a link at its name; undefined when it is not one (any more). */
async function openInRoot(root: RootedFs, rel: string): Promise<FileHandle | undefined> {
  // Not resolvable inside the root (gone, escaping): nothing to open.
  const loc = await root.locate(rel, { followLast: false }).catch(() => undefined);
  if (!loc) return undefined;
  try {
    if (!loc.parent || !loc.stat?.isFile()) return undefined;
    // Opened without following links: a file swapped for a link (ELOOP) or removed is skipped.
    return await open(loc.parent.child(loc.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  } finally {
    await release(loc);
  }
}

/** Exactly `size` bytes of the file: a file that changed since its stat (or is gone) is cut or zero-filled, keeping the tar valid. */
async function* fileData(fh: FileHandle | undefined, size: number): AsyncGenerator<Buffer> {
  if (!fh) {
    yield Buffer.alloc(size);
    return;
  }
  try {
    let done = 0;
    while (done < size) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, size - done));
      const { bytesRead } = await fh.read(buf, 0, buf.length, done);
      if (bytesRead === 0) {
        yield Buffer.alloc(size - done);
        return;
      }
      done += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
