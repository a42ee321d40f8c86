// Host escapes attempted the way an image or build-context author would: symlinks planted by
// an earlier COPY source, by an archive, by a RUN of an earlier stage, or by the container
// itself (also swapped while `cp` runs), and endless /proc files. A canary tree on the host
// (files and a directory, at paths the attacker knows) must never change, and nothing may be
// read from it. Plus a fuzz: random hostile trees in a container and in a build context,
// copied every way tsdock copies.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, mountsUnder, type ContainerSandbox } from '../helpers/containers.js';
import { buildTar } from '../helpers/tar-builder.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { prng, randomTree, randomTreeOps, randomTreeScript } from '../helpers/random-tree.js';
import { TSDOCK_BIN } from '../helpers/tsdock.js';

let c: ContainerSandbox;
let work: string;
/** The host tree an attacker aims at: must stay exactly as it is. */
let canary: string;
let canaryBefore: Record<string, string>;
const SECRET = 'host secret: never in an image\n';

beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  work = await mkdtemp(join(tmpdir(), 'tsdock-escapes-'));
  canary = await mkdtemp(join(tmpdir(), 'tsdock-canary-'));
  await mkdir(join(canary, 'dir'));
  await writeFile(join(canary, 'file'), SECRET);
  await writeFile(join(canary, 'dir/inside'), SECRET);
});

beforeEach(async () => {
  canaryBefore = await snapshotTree(canary);
});

afterEach(async () => {
  const left = (await c.ok(['ps', '-aq'])).split('\n').filter(Boolean);
  if (left.length) await c.ok(['rm', '-f', ...left]);
  expect(await snapshotTree(canary), 'the host canary tree changed').toEqual(canaryBefore);
});

/** Regular files under a host directory (symlinks not followed) whose content is the canary's secret. */
async function secretsUnder(dir: string): Promise<string[]> {
  const tree = await snapshotTree(dir).catch(() => ({}) as Record<string, string>);
  const found: string[] = [];
  for (const [rel, desc] of Object.entries(tree)) {
    if (!desc.startsWith('file ')) continue;
    if ((await readFile(join(dir, rel), 'utf8')) === SECRET) found.push(rel);
  }
  return found;
}

afterAll(async () => {
  await c.cleanup();
  await rm(work, { recursive: true, force: true });
  await rm(canary, { recursive: true, force: true });
});

let contexts = 0;
/** A build context: files (content), symlinks ({ link }), raw bytes ({ bytes }). */
async function context(files: Record<string, string | { link: string } | { bytes: Buffer }>): Promise<string> {
  const dir = join(work, `ctx-${++contexts}`);
  await mkdir(dir, { recursive: true });
  for (const [rel, v] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    if (typeof v === 'string') await writeFile(join(dir, rel), v);
    else if ('link' in v) await symlink(v.link, join(dir, rel));
    else await writeFile(join(dir, rel), v.bytes);
  }
  return dir;
}

async function build(dir: string, tag: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return c.run(['build', '--network', 'none', '-t', tag, dir]);
}

/** Runs a shell command in a new container of `image` and returns its output. */
const inImage = (image: string, script: string) => c.ok(['run', '--rm', '--network', 'none', image, 'sh', '-c', script]);

describe('build COPY/ADD', () => {
  it('several sources: a later source at the name of a symlink an earlier one brought replaces the link', async () => {
    const dir = await context({
      'a/b': { link: join(canary, 'file') },
      'a/d': { link: join(canary, 'dir') },
      'a/up': { link: `../../../../../../../..${canary}` },
      b: 'from source b\n',
      'e/d/inside': 'written into the image\n',
      'e/up/file': 'over the canary?\n',
      Dockerfile: `FROM ${c.image}\nCOPY a/ b /dst/\nCOPY --chown=1234:1234 a/ e/ /two/\n`,
    });
    const r = await build(dir, 'esc-multi:1');
    expect(r.code, r.stderr).toBe(0);
    expect(await inImage('esc-multi:1', 'cat /dst/b; [ -L /dst/b ] && echo link || echo regular')).toBe('from source b\nregular\n');
    // The second source's directories d/ and up/ replace the links the first one brought (as Docker's untar does).
    expect(await inImage('esc-multi:1', `cat /two/d/inside /two/up/file; [ -L /two/d ] || stat -c %u /two/d`)).toBe('written into the image\nover the canary?\n1234\n');
  });

  it('a later COPY into a directory the image has as a symlink to a host path writes inside the image', async () => {
    const dir = await context({
      'x/pwned': 'x\n',
      Dockerfile: `FROM ${c.image}\nRUN ln -s ${canary}/dir /target && ln -s ${canary}/file /tfile\nCOPY --chown=99:99 x/ /target/\nCOPY x/pwned /tfile\n`,
    });
    const r = await build(dir, 'esc-link:1');
    expect(r.code, r.stderr).toBe(0);
    expect(await inImage('esc-link:1', `cat ${canary}/dir/pwned; [ -L /tfile ] && echo link; cat /tfile`)).toBe('x\nx\n');
  });

  it('ADD of a local archive after a source that brought a symlink: members stay in the image', async () => {
    const tar = buildTar([
      { path: 'd/', type: 'dir' },
      { path: 'd/pwned', body: 'from the archive\n' },
      { path: 'b', body: 'replaces the link\n' },
    ]);
    const dir = await context({
      'a/d': { link: join(canary, 'dir') },
      'a/b': { link: join(canary, 'file') },
      'evil.tar': { bytes: tar },
      Dockerfile: `FROM ${c.image}\nADD a/ evil.tar /dst/\n`,
    });
    const r = await build(dir, 'esc-add:1');
    expect(r.code, r.stderr).toBe(0);
    expect(await inImage('esc-add:1', 'cat /dst/b')).toBe('replaces the link\n');
    expect(await readdir(join(canary, 'dir'))).toEqual(['inside']);
  });

  it('an archive with `..` members is refused with a clear error', async () => {
    const dir = await context({ 'evil.tar': { bytes: buildTar([{ path: '../../../../../../../..' + canary + '/dir/x', body: 'x' }]) }, Dockerfile: `FROM ${c.image}\nADD evil.tar /dst/\n` });
    const r = await build(dir, 'esc-dotdot:1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/leads out of the destination/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('COPY --from a stage whose RUN planted symlinks: neither written through nor read through', async () => {
    const dir = await context({
      y: 'y\n',
      Dockerfile: [
        `FROM ${c.image} AS evil`,
        `RUN mkdir /out && ln -s ${canary}/dir /out/d && ln -s ${canary}/file /out/f && ln -s ../../../../../../..${canary} /out/up`,
        `FROM ${c.image}`,
        'COPY --from=evil /out/ /dst/',
        'COPY y /dst/d/',
        'COPY y /dst/f',
        'COPY y /dst/up/file',
      ].join('\n'),
    });
    const r = await build(dir, 'esc-stage:1');
    expect(r.code, r.stderr).toBe(0);
    expect(await inImage('esc-stage:1', `cat ${canary}/dir/y /dst/f ${canary}/file`)).toBe('y\ny\ny\n');
    // Reading through the stage's link finds the path inside the stage's root, where it does not exist.
    const leak = await context({ Dockerfile: `FROM ${c.image} AS evil\nRUN ln -s ${canary}/file /f\nFROM ${c.image}\nCOPY --from=evil /f /leak\n` });
    const r2 = await build(leak, 'esc-leak:1');
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/file not found|no such file/);
    expect(await mountsUnder(c.runRoot)).toEqual([]);
  });

  it('a context symlink pointing out of the context is read inside it (not the host file)', async () => {
    const dir = await context({ 'ctx/dir/inside': 'from the context\n', 'l': { link: canary }, 'lf': { link: join(canary, 'file') }, Dockerfile: `FROM ${c.image}\nCOPY l/ /l/\n` });
    const r = await build(dir, 'esc-ctx:1');
    // <context>/<canary path> does not exist: not found, as Docker.
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/COPY failed: file not found in build context/);
    const dir2 = await context({ 'lf': { link: join(canary, 'file') }, Dockerfile: `FROM ${c.image}\nCOPY lf /lf\n` });
    const r2 = await build(dir2, 'esc-ctx:2');
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/COPY failed: file not found in build context/);
    // A directory source copies the link as a link.
    const dir3 = await context({ 'src/lf': { link: join(canary, 'file') }, Dockerfile: `FROM ${c.image}\nCOPY src/ /s/\n` });
    expect((await build(dir3, 'esc-ctx:3')).code).toBe(0);
    expect(await inImage('esc-ctx:3', 'readlink /s/lf; cat /s/lf 2>/dev/null || echo dangling')).toBe(`${join(canary, 'file')}\ndangling\n`);
  });
});

describe('cp', () => {
  it('`cp -` into a container through a symlink it planted stays in the container, running or stopped', async () => {
    // `y/pwned` goes through the container's link /dir/y (followed inside its root, as a chroot would);
    // `f` replaces the link /dir/f; a `w/` directory member replaces the link /dir/w (as Docker's untar).
    const tar = buildTar([{ path: 'y/pwned', body: 'pwned\n' }, { path: 'f', body: 'over\n' }, { path: 'w/', type: 'dir' }, { path: 'w/in', body: 'in w\n' }]);
    await c.ok(['run', '-d', '--name', 'cpin', '--network', 'none', c.image, 'sh', '-c', `mkdir -p /dir && ln -sfn ${canary}/dir /dir/y && ln -sfn ${canary}/file /dir/f && ln -sfn ${canary}/dir /dir/w && sleep 300`]);
    for (let i = 0; i < 50 && (await c.run(['exec', 'cpin', 'test', '-L', '/dir/f'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    await c.ok(['cp', '-', 'cpin:/dir'], { input: tar });
    expect(await c.ok(['exec', 'cpin', 'sh', '-c', `cat ${canary}/dir/pwned /dir/f /dir/w/in; [ -L /dir/f ] || echo regular`])).toBe('pwned\nover\nin w\nregular\n');
    await c.ok(['stop', '-t', '0', 'cpin']);
    // Stopped: the same through the mounted overlay.
    const tar2 = buildTar([{ path: 'z/pwned2', body: 'pwned2\n' }]);
    await c.ok(['start', 'cpin']);
    await c.ok(['exec', 'cpin', 'sh', '-c', `ln -s ${canary}/dir /dir/z`]);
    await c.ok(['stop', '-t', '0', 'cpin']);
    await c.ok(['cp', '-', 'cpin:/dir'], { input: tar2 });
    await c.ok(['start', 'cpin']);
    expect(await c.ok(['exec', 'cpin', 'cat', `${canary}/dir/pwned2`])).toBe('pwned2\n');
    await c.ok(['rm', '-f', 'cpin']);
  });

  it('a directory swapped for a symlink to the host while cp runs (CVE-2018-15664 class): no write or read outside', async () => {
    await writeFile(join(work, 'payload'), 'payload\n');
    // The container flips /data/sw between a real directory and a link to the host canary.
    await c.ok(['run', '-d', '--name', 'swapper', '--network', 'none', c.image, 'sh', '-c', `mkdir -p /data/real && echo in-container > /data/real/inside && cd /data && while :; do mv real sw; mv sw real; ln -s ${canary}/dir sw; rm sw; done`]);
    let through = 0;
    for (let i = 0; i < 12; i++) {
      if ((await c.run(['cp', join(work, 'payload'), 'swapper:/data/sw/'])).code === 0) through++;
      const out = join(work, `out-${i}`);
      const r = await c.run(['cp', 'swapper:/data/sw/.', out]);
      if (r.code === 0) through++;
      else expect(r.stderr).not.toMatch(/\n\s+at /);
      // The copy is what the container had (its directory, or its link copied as a link), never the host's file.
      expect(await secretsUnder(out)).toEqual([]);
    }
    expect(through).toBeGreaterThan(0);
    await c.ok(['rm', '-f', 'swapper']);
  });

  it('commit --pause=false of a container swapping a directory for a link to the host: the layer never carries the host file', async () => {
    await c.ok(['run', '-d', '--name', 'committer', '--network', 'none', c.image, 'sh', '-c', `mkdir -p /w && cd /w && while :; do mkdir d; echo in-container > d/file; mv d d2; ln -s ${canary} d; rm d; mv d2 d; rm -r d; done`]);
    for (let i = 0; i < 6; i++) {
      const r = await c.run(['commit', '--pause=false', 'committer', `esc-commit:${i}`]);
      expect(r.code, r.stderr).toBe(0);
      const found = await inImage(`esc-commit:${i}`, 'cat /w/d/file /w/d2/file 2>/dev/null; true');
      expect(found).not.toContain(SECRET.trim());
    }
    await c.ok(['rm', '-f', 'committer']);
  });

  it('copies /proc files for their reported size: an endless pagemap does not fill the disk', async () => {
    await c.ok(['run', '-d', '--name', 'procs', '--network', 'none', c.image, 'sleep', '300']);
    const t0 = Date.now();
    const r = await c.run(['cp', 'procs:/proc/1/task/1/pagemap', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(512 * 3); // a header and the end of the archive: 0 bytes of data
    const dest = join(work, 'pagemap');
    await c.ok(['cp', 'procs:/proc/1/task/1/pagemap', dest]);
    expect((await lstat(dest)).size).toBe(0);
    await c.ok(['cp', 'procs:/proc/1/task/1/', join(work, 'task1')]);
    expect(Date.now() - t0).toBeLessThan(30_000);
    await c.ok(['rm', '-f', 'procs']);
  });
});

describe('fuzz', () => {
  it('random hostile trees in a container, copied out, back in, and through cp -', async () => {
    await c.ok(['run', '-d', '--name', 'fuzz', '--network', 'none', c.image, 'sleep', '600']);
    for (const seed of [7, 8]) {
      const rand = prng(seed);
      const ops = randomTreeOps(rand, canary, 30);
      const root = `/fz${seed}`;
      await c.ok(['exec', 'fuzz', 'sh', '-c', randomTreeScript(ops, root)]);
      const out = join(work, `fz-out-${seed}`);
      await mkdir(out);
      // Out: the whole tree, then each top-level path (followed or not).
      await c.run(['cp', `fuzz:${root}/.`, out]);
      for (const o of ops.slice(0, 5)) {
        await c.run(['cp', `fuzz:${root}/${o.rel}`, join(out, `one-${o.rel.replace(/\//g, '_')}`)]);
        await c.run(['cp', '-L', `fuzz:${root}/${o.rel}`, join(out, `L-${o.rel.replace(/\//g, '_')}`)]);
      }
      // Back in, over the tree itself (its links are the destinations now), and as a tar stream.
      const hostTree = join(work, `fz-host-${seed}`);
      await mkdir(hostTree);
      await randomTree(hostTree, prng(seed + 100), canary, 30);
      await c.run(['cp', `${hostTree}/.`, `fuzz:${root}`]);
      for (const o of ops.slice(0, 5)) await c.run(['cp', `${hostTree}/.`, `fuzz:${root}/${o.rel}`]);
      const tarOut = await new Promise<Buffer>((resolve) => {
        const child = spawn(TSDOCK_BIN, ['cp', `fuzz:${root}`, '-'], { env: c.sb.env });
        const chunks: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => chunks.push(d));
        child.on('close', () => resolve(Buffer.concat(chunks)));
      });
      await c.run(['cp', '-', `fuzz:${root}`], { input: tarOut });
      for (const o of ops.slice(0, 5)) await c.run(['cp', '-', `fuzz:${root}/${o.rel}`], { input: tarOut });
      // Nothing on the host outside the copies' own destinations changed (checked against the canary in afterEach);
      // and no copy brought the canary's secret out of the container.
      expect(await secretsUnder(out)).toEqual([]);
    }
    await c.ok(['rm', '-f', 'fuzz']);
  }, 300_000);

  it('random hostile build contexts through COPY, ADD and COPY --from', async () => {
    for (const seed of [21, 22]) {
      const dir = join(work, `fz-ctx-${seed}`);
      await mkdir(dir);
      const paths = await randomTree(dir, prng(seed), canary, 30);
      const archiveTree = join(work, `fz-arch-${seed}`);
      await mkdir(archiveTree);
      await randomTree(archiveTree, prng(seed + 50), canary, 20);
      await new Promise<void>((resolve, reject) => spawn('tar', ['-C', archiveTree, '-cf', join(dir, 'arch.tar'), '.']).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${code}`)))));
      const stageScript = randomTreeScript(randomTreeOps(prng(seed + 7), canary, 30), '/st').replace(/\n/g, ' ; ');
      const sources = paths.slice(0, 6).map((p) => p);
      const df = [
        `FROM ${c.image} AS stage`,
        `RUN ${stageScript}`,
        `FROM ${c.image}`,
        'COPY . /ctx/',
        ...sources.map((p) => `COPY ${p} /ctx/`),
        ...sources.map((p) => `COPY . /ctx/${p}/`),
        'ADD arch.tar /ctx/',
        ...sources.map((p) => `ADD arch.tar /ctx/${p}/`),
        'COPY --from=stage /st/ /ctx/',
        ...sources.map((p) => `COPY --from=stage /st/ /ctx/${p}/`),
      ];
      // Lines one at a time (a random sample): a line that fails (a file over a directory, say) must fail cleanly.
      const rand = prng(seed + 3);
      const lines = df.slice(3).filter(() => rand() < 0.35);
      for (const [i, line] of lines.entries()) {
        await writeFile(join(dir, 'Dockerfile'), [...df.slice(0, 3), line].join('\n') + '\n');
        const r = await c.run(['build', '--network', 'none', '-q', dir]);
        if (r.code !== 0) {
          expect(r.stderr, `line ${i}: ${line}`).not.toMatch(/\n\s+at |TypeError|Cannot read properties/);
          expect(r.stderr.trim(), `line ${i}: ${line}`).not.toBe('');
        }
      }
    }
    expect(await mountsUnder(c.runRoot)).toEqual([]);
    expect(await mountsUnder(c.sb.root)).toEqual([]);
  }, 600_000);
});
