import { Header, Pax, type HeaderData } from 'tar';

/**
 * node-tar decodes devmajor/devminor only under the POSIX magic ("ustar\0" "00"), so every
 * device of a GNU-format tar ("ustar  \0", same field offsets) would come out 0/0, i.e. as an
 * overlay whiteout. This reads the numbers itself: it is fed the same bytes as the unpacker's
 * Parser, frames entries the way node-tar does (with node-tar's own Header and Pax decoders, so
 * sizes and extended headers agree), and keeps the numbers of GNU-format devices by entry
 * ordinal (the n-th entry the Parser emits). Nothing of node-tar is patched.
 */

const BLOCK = 512;
const GNU_MAGIC = 'ustar  \0';

/** node-tar's meta entries: they describe the next entry and are not emitted as entries. */
const META_TYPES = new Set(['ExtendedHeader', 'OldExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'OldGnuLongPath', 'NextFileHasLongLinkpath']);

export interface DeviceNumbers {
  devmaj: number;
  devmin: number;
  /** The header's checksum field: lets the reader check it pairs the numbers with the same header. */
  cksum: number;
}

export class GnuDeviceNumbers {
  /** Bytes of a header block cut by a chunk boundary. */
  private partial: Buffer = Buffer.alloc(0);
  /** Data bytes (padded to blocks) of the current entry still to pass over. */
  private skip = 0;
  /** The meta entry whose data is being collected, and how many data bytes it has. */
  private meta?: { type: string; size: number; data: Buffer[] };
  private ex?: HeaderData;
  private gex?: HeaderData;
  private ordinal = 0;
  private sawNullBlock = false;
  /** End of archive, or a header the Parser refuses too (the unpack fails then). */
  private done = false;
  private readonly found = new Map<number, DeviceNumbers>();

  /** Feed every chunk before handing it to the Parser. */
  write(chunk: Buffer): void {
    if (this.done) return;
    let off = 0;
    if (this.partial.length) {
      // Only a header is ever cut (data is passed over as it comes): complete it alone.
      const need = BLOCK - this.partial.length;
      if (chunk.length < need) {
        this.partial = Buffer.concat([this.partial, chunk]);
        return;
      }
      const block = Buffer.concat([this.partial, chunk.subarray(0, need)]);
      this.partial = Buffer.alloc(0);
      this.header(block, 0);
      off = need;
    }
    while (!this.done && off < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - off);
        this.collectMeta(chunk.subarray(off, off + n));
        off += n;
        this.skip -= n;
        if (this.skip === 0) this.endMeta();
        continue;
      }
      if (chunk.length - off < BLOCK) break;
      this.header(chunk, off);
      off += BLOCK;
    }
    this.partial = this.done ? Buffer.alloc(0) : Buffer.from(chunk.subarray(off));
  }

  /** The real numbers of the `ordinal`-th entry when it is a GNU-format device (each asked once). */
  take(ordinal: number): DeviceNumbers | undefined {
    const d = this.found.get(ordinal);
    this.found.delete(ordinal);
    return d;
  }

  private header(buf: Buffer, off: number): void {
    let h: Header;
    try {
      h = new Header(buf, off, this.ex, this.gex);
    } catch {
      this.done = true; // a garbled number field: the Parser warns, and the unpack fails
      return;
    }
    if (h.nullBlock) {
      if (this.sawNullBlock) this.done = true;
      this.sawNullBlock = true;
      return;
    }
    this.sawNullBlock = false;
    if (!h.cksumValid || !h.path) {
      this.done = true;
      return;
    }
    const size = h.size ?? 0;
    this.skip = BLOCK * Math.ceil(size / BLOCK);
    if (META_TYPES.has(h.type)) {
      this.meta = { type: h.type, size, data: [] };
      if (this.skip === 0) this.endMeta();
      return;
    }
    this.ex = undefined; // used up by this entry, as the Parser does
    if ((h.type === 'CharacterDevice' || h.type === 'BlockDevice') && buf.toString('latin1', off + 257, off + 265) === GNU_MAGIC) {
      this.found.set(this.ordinal, { devmaj: tarNumber(buf.subarray(off + 329, off + 337)), devmin: tarNumber(buf.subarray(off + 337, off + 345)), cksum: h.cksum ?? -1 });
    }
    this.ordinal++;
  }

  private collectMeta(bytes: Buffer): void {
    if (!this.meta) return;
    const have = this.meta.data.reduce((n, b) => n + b.length, 0);
    if (have < this.meta.size) this.meta.data.push(Buffer.from(bytes.subarray(0, this.meta.size - have)));
  }

  /** Applies a finished meta entry to the next entry's header, as the Parser does. */
  private endMeta(): void {
    const meta = this.meta;
    if (!meta) return;
    this.meta = undefined;
    const text = Buffer.concat(meta.data).toString('utf8');
    switch (meta.type) {
      case 'ExtendedHeader':
      case 'OldExtendedHeader':
        this.ex = Pax.parse(text, this.ex, false);
        break;
      case 'GlobalExtendedHeader':
        this.gex = Pax.parse(text, this.gex, true);
        break;
      case 'NextFileHasLongPath':
      case 'OldGnuLongPath':
        this.ex = { ...this.ex, path: text.replace(/\0.*/, '') };
        break;
      case 'NextFileHasLongLinkpath':
        this.ex = { ...this.ex, linkpath: text.replace(/\0.*/, '') };
        break;
    }
  }
}

/** A numeric header field: NUL/space-terminated octal, or GNU base-256 when the top bit is set. */
function tarNumber(field: Buffer): number {
  if (field[0]! & 0x80) return field.subarray(1).reduce((n, byte) => n * 256 + byte, field[0]! & 0x7f);
  return parseInt(field.toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
}
