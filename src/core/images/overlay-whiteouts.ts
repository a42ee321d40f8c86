import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { mknod } from '../fs/mknod.js';
import { isWhiteout } from '../fs/overlay-view.js';
import type { WhiteoutConverter } from './layer-unpack.js';

const execFileP = promisify(execFile);

/** Paths per setfattr invocation (argv stays far below ARG_MAX). */
const SETFATTR_BATCH = 256;

/**
 * OCI whiteouts as overlayfs's (containerd's OverlayConvertWhiteout): `.wh.NAME` becomes a
 * char device 0/0 at NAME, `.wh..wh..opq` the xattr `trusted.overlay.opaque=y` on its
 * directory. The layer store's layers are overlay lowerdirs, so it unpacks with this one.
 */
export function overlayWhiteouts(): WhiteoutConverter {
  /** A whiteout made by this converter: later ones are hardlinks of it, sparing a mknod each. */
  let source: string | undefined;
  return {
    async whiteout(abs, entry) {
      // overlayfs only checks "char device 0/0" and itself shares one inode between its
      // whiteouts; owner and times of a whiteout are irrelevant. The source is checked first:
      // a later entry of the layer may have replaced it.
      if (source !== undefined && whiteoutAt(source)) {
        try {
          fs.linkSync(source, abs);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EMLINK') throw err;
        }
      }
      await mknod(`layer entry ${JSON.stringify(entry)}`, abs, 'c', 0, 0);
      source = abs;
    },
    async opaque(dirs) {
      for (let i = 0; i < dirs.length; i += SETFATTR_BATCH) {
        await execFileP('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', '--', ...dirs.slice(i, i + SETFATTR_BATCH)]);
      }
    },
  };
}

/** Whether a whiteout stands at the path; nothing there (or unreadable) is no whiteout. */
function whiteoutAt(path: string): boolean {
  try {
    return isWhiteout(fs.lstatSync(path));
  } catch {
    return false;
  }
}
