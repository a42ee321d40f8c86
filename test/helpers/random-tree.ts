import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A small seeded PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'etc', 'x', 'y', 'l', 'sub'];

export type RandomOp = { op: 'dir'; rel: string } | { op: 'file'; rel: string } | { op: 'link'; rel: string; target: string };

/**
 * A random tree as a list of operations, parents before children: directories, files and
 * symlinks whose targets are what an attacker would plant (the host canary by absolute path,
 * climbing `../..` paths to it, `..`, `/`, loops, dangling names).
 */
export function randomTreeOps(rand: () => number, canaryDir: string, count = 25): RandomOp[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const dirs = [''];
  const taken = new Set<string>();
  const ops: RandomOp[] = [];
  for (let i = 0; i < count; i++) {
    const parent = pick(dirs);
    const rel = parent === '' ? pick(NAMES) : `${parent}/${pick(NAMES)}`;
    if (taken.has(rel)) continue;
    taken.add(rel);
    const r = rand();
    if (r < 0.3) {
      ops.push({ op: 'dir', rel });
      dirs.push(rel);
    } else if (r < 0.6) {
      ops.push({ op: 'file', rel });
    } else {
      const targets = [canaryDir, join(canaryDir, 'dir'), join(canaryDir, 'file'), '../../../../../../..' + canaryDir, '..', '../..', '/', '.', pick(NAMES), `${pick(NAMES)}/${pick(NAMES)}`, '/etc', rel];
      ops.push({ op: 'link', rel, target: pick(targets) });
    }
  }
  return ops;
}

/** Makes the random tree under `root` on this host; returns the paths made. */
export async function randomTree(root: string, rand: () => number, canaryDir: string, count = 25): Promise<string[]> {
  const made: string[] = [];
  for (const o of randomTreeOps(rand, canaryDir, count)) {
    const abs = join(root, o.rel);
    if (await lstat(abs).catch(() => undefined)) continue;
    if (o.op === 'dir') await mkdir(abs).catch(() => {});
    else if (o.op === 'file') await writeFile(abs, `file ${o.rel}\n`).catch(() => {});
    else await symlink(o.target, abs).catch(() => {});
    made.push(o.rel);
  }
  return made;
}

/** The same tree as a shell script (for busybox sh in a container or a RUN step), made under `root`. */
export function randomTreeScript(ops: RandomOp[], root: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [`mkdir -p ${q(root)}`, `cd ${q(root)}`];
  for (const o of ops) {
    if (o.op === 'dir') lines.push(`mkdir ${q(o.rel)} 2>/dev/null`);
    else if (o.op === 'file') lines.push(`echo ${q(`file ${o.rel}`)} > ${q(o.rel)} 2>/dev/null`);
    else lines.push(`ln -s ${q(o.target)} ${q(o.rel)} 2>/dev/null`);
  }
  lines.push('true');
  return lines.join('\n');
}
