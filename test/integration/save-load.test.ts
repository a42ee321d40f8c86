// `tsdock save` and `tsdock load`: round trips through both archive formats (to a file and
// through stdout/stdin) keep image IDs and tags and give images whose containers run; archives
// cross over to and from podman (a private podman root, removed afterwards) and skopeo reads
// ours; corrupt and malicious archives are refused with the store left as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { getTestbed, type Testbed } from '../testbed/testbed.js';
import { makeSandbox, TSDOCK_BIN, type Sandbox } from '../helpers/tsdock.js';
import { mountsUnder } from '../helpers/containers.js';
import { buildTar } from '../helpers/tar-builder.js';

const execFileP = promisify(execFile);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let tb: Testbed;
let src: Sandbox;
let scratch: string;
let layered: string;
let busybox: string;
const boxes: Sandbox[] = [];
const runRoot = `/run/tsdock-test-share-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  tb = getTestbed();
  src = await makeSandbox();
  scratch = await mkdtemp(join(tmpdir(), 'tsdock-saveload-'));
  layered = `${tb.registries.open.addr}/layered:v1`;
  busybox = `${tb.registries.open.addr}/docker/busybox:latest`;
  await ok(src, ['pull', '-q', layered]);
  await ok(src, ['pull', '-q', busybox]);
});
afterAll(async () => {
  for (const b of [src, ...boxes]) {
    expect(await mountsUnder(b.root), `mounts left under ${b.root}`).toEqual([]);
    await b.remove();
  }
  await rm(runRoot, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

async function fresh(): Promise<Sandbox> {
  const box = await makeSandbox({ TSDOCK_RUN_ROOT: runRoot });
  boxes.push(box);
  return box;
}

async function ok(box: Sandbox, args: string[]): Promise<string> {
  const r = await box.run(args);
  expect(r.code, `tsdock ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Runs the CLI with stdin and/or stdout connected to files (binary-safe). */
async function runFiles(box: Sandbox, args: string[], io: { stdin?: string; stdout?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const input = io.stdin ? await open(io.stdin, 'r') : undefined;
  const output = io.stdout ? await open(io.stdout, 'w') : undefined;
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(TSDOCK_BIN, [...args], { env: box.env, stdio: [input?.fd ?? 'ignore', output?.fd ?? 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  } finally {
    await input?.close();
    await output?.close();
  }
}

const imageId = async (box: Sandbox, ref: string) => (await ok(box, ['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
const tagsOf = async (box: Sandbox) => (await ok(box, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).trim().split('\n').filter(Boolean).sort();

async function runCat(box: Sandbox, ref: string, file: string): Promise<string> {
  return ok(box, ['run', '--rm', '--network', 'none', ref, 'cat', file]);
}

/** Nothing in the store: no image, tag, blob, layer or leftover ingest. */
async function expectEmptyStore(box: Sandbox): Promise<void> {
  expect(await ok(box, ['images', '-q'])).toBe('');
  const list = async (d: string) => (await readdir(join(box.root, d)).catch(() => [] as string[])).filter((n) => n !== 'lock');
  expect(await list('blobs/sha256'), 'blobs left').toEqual([]);
  expect(await list('layers'), 'layers left').toEqual([]);
  expect(await list('ingest'), 'ingest leftovers').toEqual([]);
  expect(await list('images'), 'image records').toEqual([]);
}

describe('round trips through tsdock', () => {
  it('docker-archive to a file: skopeo reads it, load into a fresh store keeps IDs and tags, and a container runs', async () => {
    const file = join(scratch, 'docker.tar');
    expect(await ok(src, ['save', '-o', file, layered, busybox])).toBe('');
    // Docker's layout: manifest.json, repositories, <config>.json, <diffID>/layer.tar uncompressed.
    const manifest = JSON.parse((await execFileP('tar', ['-xOf', file, 'manifest.json'])).stdout);
    expect(manifest).toHaveLength(2);
    expect(manifest[0].RepoTags).toEqual([layered]);
    expect(manifest[0].Config).toBe(`${(await imageId(src, layered)).slice(7)}.json`);
    expect(manifest[0].Layers).toHaveLength(3);
    for (const l of manifest[0].Layers) expect(l).toMatch(/^[0-9a-f]{64}\/layer\.tar$/);
    const layerBytes = (await execFileP('tar', ['-xOf', file, manifest[0].Layers[0]], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout as unknown as Buffer;
    expect(sha(layerBytes)).toBe(`sha256:${manifest[0].Layers[0].slice(0, 64)}`);
    const skopeo = JSON.parse((await execFileP('skopeo', ['inspect', `docker-archive:${file}:${layered}`])).stdout);
    expect(skopeo.Layers).toHaveLength(3);

    const box = await fresh();
    const load = await box.run(['load', '-i', file]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toBe(`Loaded image: ${layered}\nLoaded image: ${busybox}\n`);
    expect(await imageId(box, layered)).toBe(await imageId(src, layered));
    expect(await imageId(box, busybox)).toBe(await imageId(src, busybox));
    expect(await tagsOf(box)).toEqual([busybox, layered].sort());
    expect(await runCat(box, layered, '/opt/app/data/file.txt')).toBe('data v2 (rewritten in layer 3)\n');
  });

  it('oci-archive through stdout and stdin: same image ID, the name from the index annotation, a container runs', async () => {
    const file = join(scratch, 'oci.tar');
    const save = await runFiles(src, ['image', 'save', '--format', 'oci-archive', layered], { stdout: file });
    expect(save.code, save.stderr).toBe(0);
    const index = JSON.parse((await execFileP('tar', ['-xOf', file, 'index.json'])).stdout);
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe(layered);
    expect((await execFileP('tar', ['-xOf', file, 'oci-layout'])).stdout).toContain('"imageLayoutVersion":"1.0.0"');
    await execFileP('skopeo', ['inspect', `oci-archive:${file}`]);

    const box = await fresh();
    const load = await runFiles(box, ['image', 'load', '-q'], { stdin: file });
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toBe(`Loaded image: ${layered}\n`);
    expect(await imageId(box, layered)).toBe(await imageId(src, layered));
    expect(await runCat(box, layered, '/opt/app/conf/c.conf')).toBe('c = 3\n');
  });

  it('an image saved by ID loads untagged ("Loaded image ID"); a gzip-compressed archive loads too', async () => {
    const id = await imageId(src, busybox);
    const file = join(scratch, 'by-id.tar');
    await ok(src, ['save', '-o', file, id.slice(7, 19)]);
    await writeFile(`${file}.gz`, gzipSync(await readFile(file)));
    const box = await fresh();
    expect(await ok(box, ['load', '-i', `${file}.gz`])).toBe(`Loaded image ID: ${id}\n`);
    expect(await ok(box, ['images', '-q', '--no-trunc'])).toBe(`${id}\n`);
  });

  it('a bare repository name saves all its local tags; loading over a tag says the old image is renamed', async () => {
    const repo = `${tb.registries.open.addr}/share/multi`;
    await ok(src, ['tag', layered, `${repo}:a`]);
    await ok(src, ['tag', busybox, `${repo}:b`]);
    const file = join(scratch, 'repo.tar');
    await ok(src, ['save', '-o', file, repo]);
    const manifest = JSON.parse((await execFileP('tar', ['-xOf', file, 'manifest.json'])).stdout);
    expect(manifest.flatMap((m: { RepoTags: string[] }) => m.RepoTags).sort()).toEqual([`${repo}:a`, `${repo}:b`]);

    const box = await fresh();
    const swapped = join(scratch, 'swapped.tar');
    await ok(src, ['tag', busybox, `${repo}:a`]); // the name now points elsewhere in the source
    await ok(src, ['save', '-o', swapped, `${repo}:a`]);
    await ok(box, ['load', '-i', file]);
    const out = await ok(box, ['load', '-i', swapped]);
    expect(out).toBe(`The image ${repo}:a already exists, renaming the old one with ID ${await imageId(src, layered)} to empty string\nLoaded image: ${repo}:a\n`);
  });

  it('refuses to write an archive to a terminal, and to read one from a terminal', async () => {
    const cmd = (args: string) => `${TSDOCK_BIN} ${args}`;
    const save = await execFileP('script', ['-qec', cmd(`save ${busybox}`), '/dev/null'], { env: src.env }).catch((e) => e);
    expect(save.code).toBe(1);
    expect(save.stdout).toContain('Cowardly refusing to save to a terminal. Use the -o flag or redirect.');
    const load = await execFileP('script', ['-qec', cmd('load'), '/dev/null'], { env: src.env }).catch((e) => e);
    expect(load.code).toBe(1);
    expect(load.stdout).toContain('requested load from stdin, but stdin is empty');
  });

  it('a failed save leaves no file behind', async () => {
    const file = join(scratch, 'never.tar');
    const r = await src.run(['save', '-o', file, layered, 'no-such-image:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: No such image: no-such-image:1\n');
    // A layer that vanished from the store mid-way (simulated: its blob removed) fails the save.
    const box = await fresh();
    await ok(box, ['pull', '-q', busybox]);
    const blobs = await readdir(join(box.root, 'blobs/sha256'));
    const sizes = await Promise.all(blobs.map(async (b) => [b, (await stat(join(box.root, 'blobs/sha256', b))).size] as const));
    const layerBlob = sizes.sort((a, b) => b[1] - a[1])[0]![0];
    await truncate(join(box.root, 'blobs/sha256', layerBlob), 1000);
    const broken = await box.run(['save', '-o', file, busybox]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^Error: cannot save layer sha256:[0-9a-f]{64}: /);
    expect((await readdir(scratch)).filter((n) => n.includes('never'))).toEqual([]);
  });
});

describe('podman and skopeo', () => {
  let pod: string;
  const podman = (args: string[]) =>
    execFileP(
      'podman',
      ['--root', `${pod}/root`, '--runroot', `${pod}/runroot`, '--tmpdir', `${pod}/tmp`, '--network-config-dir', `${pod}/net`, '--storage-driver', 'vfs', '--cgroup-manager=cgroupfs', '--events-backend=file', '--runtime', 'runc', ...args],
      {
        env: { ...process.env, TMPDIR: `${pod}/tmp`, REGISTRY_AUTH_FILE: `${pod}/auth.json`, CONTAINERS_REGISTRIES_CONF: `${pod}/registries.conf`, DOCKER_CONFIG: `${pod}/docker` },
        maxBuffer: 16 << 20,
      },
    );

  beforeAll(async () => {
    pod = await mkdtemp(join(tmpdir(), 'tsdock-podman-'));
    for (const d of ['tmp', 'net', 'docker']) await mkdir(join(pod, d), { recursive: true });
    await writeFile(join(pod, 'auth.json'), '{}');
    await writeFile(join(pod, 'docker', 'config.json'), '{}');
    await writeFile(join(pod, 'registries.conf'), `[[registry]]\nlocation = "${tb.registries.open.addr}"\ninsecure = true\n`);
    await podman(['pull', '-q', layered]);
  });
  afterAll(async () => {
    // vfs storage mounts nothing; unmount defensively all the same before removing.
    for (const m of (await mountsUnder(pod)).reverse()) await execFileP('umount', ['-l', m]).catch(() => {});
    await rm(pod, { recursive: true, force: true });
  });

  it('podman save (docker-archive, layers linked by symlinks) -> tsdock load -> same ID, a container runs', async () => {
    const file = join(scratch, 'podman-docker.tar');
    await podman(['save', '--format', 'docker-archive', '-o', file, layered]);
    const box = await fresh();
    expect(await ok(box, ['load', '-i', file])).toBe(`Loaded image: ${layered}\n`);
    expect(await imageId(box, layered)).toBe(await imageId(src, layered));
    expect(await runCat(box, layered, '/opt/app/data/file.txt')).toBe('data v2 (rewritten in layer 3)\n');
  });

  it('podman save (oci-archive) -> tsdock load -> the ID podman shows, a container runs', async () => {
    const file = join(scratch, 'podman-oci.tar');
    await podman(['save', '--format', 'oci-archive', '-o', file, layered]);
    const box = await fresh();
    const load = await box.run(['load', '-i', file]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toBe(`Loaded image: ${layered}\n`);
    // podman rewrites the config for an OCI archive: tsdock keeps whatever config the archive has.
    const configDigest = JSON.parse((await execFileP('skopeo', ['inspect', '--raw', `oci-archive:${file}`])).stdout).config.digest;
    expect(await imageId(box, layered)).toBe(configDigest);
    expect(await runCat(box, layered, '/etc/passwd')).toContain('root:x:0:0');
  });

  it.each(['docker-archive', 'oci-archive'])('tsdock save --format %s -> podman load -> podman images shows the same ID', async (format) => {
    const file = join(scratch, `for-podman-${format}.tar`);
    const tag = `${tb.registries.open.addr}/share/for-podman:${format}`;
    await ok(src, ['tag', busybox, tag]);
    await ok(src, ['save', '--format', format, '-o', file, tag]);
    if (format === 'docker-archive') await execFileP('skopeo', ['inspect', `docker-archive:${file}`]);
    await podman(['load', '-q', '-i', file]);
    const images = (await podman(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout;
    expect(images.split('\n')).toContain(`${await imageId(src, tag)} ${tag}`);
  });
});

describe('corrupt and malicious archives', () => {
  const layerA = buildTar([{ path: 'a.txt', body: 'layer A\n' }]);
  const layerB = buildTar([{ path: 'b.txt', body: 'layer B\n' }]);

  /** A docker-archive made by hand: the config may claim diff IDs the layers do not have. */
  function archive(opts: { layers: Buffer[]; diffIds?: string[]; extra?: Parameters<typeof buildTar>[0]; omit?: string[] }): Buffer {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: opts.diffIds ?? opts.layers.map(sha) } }),
    );
    const hex = sha(config).slice(7);
    const paths = opts.layers.map((_, i) => `layer${i}/layer.tar`);
    const entries = [
      ...opts.layers.map((body, i) => ({ path: paths[i]!, body })),
      { path: `${hex}.json`, body: config },
      { path: 'manifest.json', body: JSON.stringify([{ Config: `${hex}.json`, RepoTags: ['evil/image:1'], Layers: paths }]) },
      ...(opts.extra ?? []),
    ].filter((e) => !opts.omit?.includes(e.path));
    return buildTar(entries);
  }

  async function loadFails(data: Buffer, expected: RegExp): Promise<void> {
    const file = join(scratch, `bad-${randomBytes(4).toString('hex')}.tar`);
    await writeFile(file, data);
    const box = await fresh();
    const r = await box.run(['load', '-i', file]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(expected);
    await expectEmptyStore(box);
  }

  it('the hand-made archive itself loads (the cases below differ from it in one point each)', async () => {
    const file = join(scratch, 'good-handmade.tar');
    await writeFile(file, archive({ layers: [layerA, layerB] }));
    const box = await fresh();
    expect(await ok(box, ['load', '-i', file])).toBe('Loaded image: evil/image:1\n');
  });

  it('a truncated archive: a clear error, the store unchanged', async () => {
    const file = join(scratch, 'whole.tar');
    await ok(src, ['save', '-o', file, layered]);
    const whole = await readFile(file);
    await loadFails(whole.subarray(0, Math.floor(whole.length / 2)), /^Error: the archive is truncated or corrupt: /);
  });

  it('a layer whose bytes do not match its diffID: a clear error, and the good layer before it is gone again', async () => {
    await loadFails(archive({ layers: [layerA, layerB], diffIds: [sha(layerA), sha(Buffer.from('something else'))] }), /unpacks to sha256:[0-9a-f]{64}, but the image config says sha256:[0-9a-f]{64}; the image is corrupt/);
  });

  it('a layer the manifest names but the archive lacks: a clear error before anything is stored', async () => {
    await loadFails(archive({ layers: [layerA, layerB], omit: ['layer1/layer.tar'] }), /^Error: the archive lacks layer 2 of image 1 \(layer1\/layer\.tar\)/);
  });

  it('an entry with ".." in its path is refused', async () => {
    await loadFails(archive({ layers: [layerA], extra: [{ path: '../escape.txt', body: 'x' }] }), /^Error: the archive holds a path with "\.\." \("\.\.\/escape\.txt"\); refusing to load it/);
    expect(await stat(join(scratch, '..', 'escape.txt')).catch(() => undefined)).toBeUndefined();
  });

  it('a symlink pointing out of the archive is refused', async () => {
    await loadFails(archive({ layers: [layerA], extra: [{ path: 'layer9/layer.tar', type: 'symlink', linkpath: '../../etc/shadow' }] }), /links to "\.\.\/\.\.\/etc\/shadow", outside the archive/);
  });

  it('a config whose bytes do not match its file name is refused', async () => {
    const good = archive({ layers: [layerA] });
    const text = good.toString('latin1').replace('"os":"linux"', '"os":"lunix"');
    await loadFails(Buffer.from(text, 'latin1'), /hashes to sha256:[0-9a-f]{64}; the archive is corrupt|truncated or corrupt: .*checksum/);
  });

  it('something that is not an archive at all', async () => {
    await loadFails(Buffer.from('hello world\n'), /^Error: the archive is (truncated or corrupt|empty)/);
    await loadFails(buildTar([{ path: 'README', body: 'hi' }]), /neither manifest\.json \(docker-archive\) nor index\.json \(OCI layout\)/);
  });
});
