import { Header, Pax, type HeaderData } from 'tar';

/** Encoding of one tar entry's header, shared by every tar tsdock writes (layers, `cp`, image archives). */

export type TarEntryType = 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';

/** What a header records about an entry. */
export interface TarHeaderFields {
  /** Path in the tar: relative, `/`-separated, directories end in `/`. */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkpath?: string;
  devmaj?: number;
  devmin?: number;
}

const BLOCK = 512;

/** The header block(s) of one entry: a pax header first when a field does not fit ustar. */
export function encodeEntryHeader(e: TarHeaderFields): Buffer {
  const data: HeaderData = {
    path: e.name,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    size: e.type === 'File' ? e.size : 0,
    mtime: new Date(Math.floor(e.mtime.getTime() / 1000) * 1000),
    type: e.type,
    linkpath: e.linkpath ?? '',
    uname: '',
    gname: '',
    devmaj: e.devmaj ?? 0,
    devmin: e.devmin ?? 0,
  };
  const header = new Header(data);
  const block = Buffer.alloc(BLOCK);
  const needPax = header.encode(block, 0);
  if (!needPax) return block;
  const pax = new Pax({ path: e.name, linkpath: e.linkpath, size: data.size, uid: e.uid, gid: e.gid, mtime: data.mtime });
  return Buffer.concat([pax.encode(), block]);
}
