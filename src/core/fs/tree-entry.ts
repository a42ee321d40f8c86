/**
 * One thing a copy carries from a tree to another (cp both ways, `cp -`, COPY, ADD): what the
 * readers produce (a directory walk, a tar stream) and the writer consumes.
 */

export type TreeEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TreeEntry {
  /** Below the copy's top, `/`-separated: '' for the top itself, 'a/b' inside it. */
  rel: string;
  kind: TreeEntryKind;
  /** Permission bits, setuid/setgid/sticky included. */
  mode: number;
  uid: number;
  gid: number;
  atime: Date;
  mtime: Date;
  /** Bytes of a file's data: exactly this many are read, never more (a /proc file reports 0). */
  size: number;
  /** A symlink's target; for a hardlink the `rel` of the entry it links to. */
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  /** A file's bytes (exactly `size`): read them before asking for the next entry. */
  data?: () => AsyncIterable<Buffer>;
}

/** Linux dev_t split the way glibc's major()/minor() do. */
export function deviceNumbers(rdev: number): { devMajor: number; devMinor: number } {
  const big = BigInt(rdev);
  return {
    devMajor: Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn)),
    devMinor: Number((big & 0xffn) | ((big >> 12n) & ~0xffn)),
  };
}
