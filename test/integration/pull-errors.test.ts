// Bad input gets a clear error and the store stays consistent: corrupt and truncated blobs,
// missing tags, registries that fail, malicious layers, a config that lies, and SIGKILL of
// tsdock in the middle of a pull. Destructive cases use their own registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, stat, truncate, utimes, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { blobPath, getTestbed, pushFixture, startRegistry, type RegistryHandle, type Testbed } from '../testbed/testbed.js';
import { makeSandbox, TSDOCK_BIN, type Sandbox } from '../helpers/tsdock.js';
import { uploadImage } from '../helpers/registry-upload.js';
import { buildTar } from '../helpers/tar-builder.js';

let tb: Testbed;
let reg: RegistryHandle;
let sb: Sandbox;

beforeAll(async () => {
  tb = getTestbed();
  reg = await startRegistry('open');
  sb = await makeSandbox();
});
afterAll(async () => {
  await reg?.stop();
  await sb?.remove();
});

const ls = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).sort();

/** Everything the store holds, to prove a failure left nothing behind. */
async function storeState(root: string) {
  return {
    blobs: await ls(join(root, 'blobs/sha256')),
    layers: await ls(join(root, 'layers')),
    images: await ls(join(root, 'images')),
    ingest: await ls(join(root, 'ingest')),
    tags: await readFile(join(root, 'repositories.json'), 'utf8').catch(() => '{}'),
  };
}

async function layerBlobOf(repoTag: string): Promise<{ digest: string; size: number }> {
  const [repo, tag] = repoTag.split(':');
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const m = (await res.json()) as { layers: { digest: string; size: number }[] };
  return m.layers.at(-1)!;
}

describe('registry answers that are errors', () => {
  it('an unknown tag names the tag and suggests `tsdock tags`', async () => {
    const r = await sb.run(['pull', `${tb.registries.open.addr}/library/busybox:nope`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`manifest for ${tb.registries.open.addr}/library/busybox:nope not found: manifest unknown`);
    expect(r.stderr).toContain('tsdock tags');
  });

  it('an unknown repository says it does not exist', async () => {
    const r = await sb.run(['pull', `${tb.registries.open.addr}/no/such/repo`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/repository .*no\/such\/repo not found: it does not exist or may require `tsdock login`/);
  });

  it('an invalid reference is refused before any request', async () => {
    const upper = await sb.run(['pull', 'Busybox']);
    expect(upper.code).toBe(1);
    expect(upper.stderr).toMatch(/must be lowercase/);
    const badTag = await sb.run(['pull', 'busybox:-bad']);
    expect(badTag.code).toBe(1);
    expect(badTag.stderr).toMatch(/busybox:-bad/);
  });

  it('a registry that answers 500 and one that is not there', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'storage backend exploded' }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await sb.run(['pull', `127.0.0.1:${port}/x/y:1`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`registry 127.0.0.1:${port} answered 500`);
      expect(r.stderr).toContain('storage backend exploded');
      expect(r.stderr).toContain('try again later');
    } finally {
      await new Promise((r) => server.close(r));
    }
    const gone = await sb.run(['pull', `127.0.0.1:${port}/x/y:1`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`cannot reach 127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('a bad flag exits 125 with a usage hint', async () => {
    const r = await sb.run(['pull', '--bogus', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('unknown flag: --bogus');
    expect(r.stderr).toContain("See 'tsdock pull --help'.");
  });
});

describe('corrupt content never reaches the store', () => {
  it('a blob whose bytes were changed on the registry: error, nothing stored, fine after repair', async () => {
    await pushFixture(reg, 'busybox', 'latest', 'corrupt/busybox:latest');
    const layer = await layerBlobOf('corrupt/busybox:latest');
    const file = blobPath(reg.storage, layer.digest);
    const original = await readFile(file);
    const bad = Buffer.from(original);
    bad[bad.length - 100] ^= 0xff;
    await writeFile(file, bad);
    const box = await makeSandbox();
    try {
      const before = await storeState(box.root);
      const r = await box.run(['pull', `${reg.addr}/corrupt/busybox:latest`]);
      expect(r.code).toBe(1);
      // What the user needs to know, not only zlib's "incorrect data check"; and no stack trace.
      expect(r.stderr).toContain(`Error: layer ${layer.digest} failed verification (digest mismatch or corrupt data): `);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const after = await storeState(box.root);
      expect(after.layers).toEqual(before.layers);
      expect(after.images).toEqual([]);
      expect(after.ingest).toEqual([]);
      expect(after.blobs).not.toContain(layer.digest.slice(7));
      expect(after.tags).toBe('{}');
      await writeFile(file, original);
      const again = await box.run(['pull', `${reg.addr}/corrupt/busybox:latest`]);
      expect(again.code, again.stderr).toBe(0);
      expect((await storeState(box.root)).blobs).toContain(layer.digest.slice(7));
    } finally {
      await writeFile(file, original);
      await box.remove();
    }
  });

  it('a blob with a valid gzip stream but a wrong digest is refused by digest', async () => {
    const tarA = buildTar([{ path: 'a.txt', body: 'the real content\n' }]);
    const tarB = buildTar([{ path: 'a.txt', body: 'something else!!\n' }]);
    const good = await uploadImage(reg.url, 'swapped/img:1', [tarA]);
    const other = await uploadImage(reg.url, 'swapped/other:1', [tarB]);
    // Serve B's bytes under A's digest.
    await copyFile(blobPath(reg.storage, other.layerDigests[0]!), blobPath(reg.storage, good.layerDigests[0]!));
    const box = await makeSandbox();
    try {
      const r = await box.run(['pull', `${reg.addr}/swapped/img:1`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`blob ${good.layerDigests[0]} failed verification`);
      const s = await storeState(box.root);
      expect(s.layers).toEqual([]);
      expect(s.images).toEqual([]);
      expect(s.ingest).toEqual([]);
    } finally {
      await box.remove();
    }
  });

  it('a blob whose digest matches but whose tar is damaged fails verification as corrupt data', async () => {
    const tar = buildTar([{ path: 'a.txt', body: 'hello\n' }]);
    tar[148] ^= 0x55; // the header checksum field of the first entry
    const img = await uploadImage(reg.url, 'badtar/img:1', [tar]);
    const box = await makeSandbox();
    try {
      const r = await box.run(['pull', `${reg.addr}/badtar/img:1`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Error: layer ${img.layerDigests[0]} failed verification (digest mismatch or corrupt data): corrupt layer tar`);
      const s = await storeState(box.root);
      expect(s.layers).toEqual([]);
      expect(s.images).toEqual([]);
      expect(s.ingest).toEqual([]);
    } finally {
      await box.remove();
    }
  });

  it('a truncated blob is refused', async () => {
    await pushFixture(reg, 'busybox', 'latest', 'truncated/busybox:latest');
    const layer = await layerBlobOf('truncated/busybox:latest');
    const file = blobPath(reg.storage, layer.digest);
    const original = await readFile(file);
    await truncate(file, Math.floor(original.length / 2));
    const box = await makeSandbox();
    try {
      const r = await box.run(['pull', `${reg.addr}/truncated/busybox:latest`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/expected \d+ bytes, received \d+|unexpected end of file/);
      const s = await storeState(box.root);
      expect(s.images).toEqual([]);
      expect(s.layers).toEqual([]);
      expect(s.ingest).toEqual([]);
    } finally {
      await writeFile(file, original);
      await box.remove();
    }
  });

  it('a config whose diff IDs do not match the layers is refused', async () => {
    const tar = buildTar([{ path: 'f', body: 'x' }]);
    await uploadImage(reg.url, 'liar/img:1', [tar], { diffIds: [`sha256:${'0'.repeat(64)}`] });
    const box = await makeSandbox();
    try {
      const r = await box.run(['pull', `${reg.addr}/liar/img:1`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`but the image config says sha256:${'0'.repeat(64)}`);
      const s = await storeState(box.root);
      expect(s.layers).toEqual([]);
      expect(s.images).toEqual([]);
    } finally {
      await box.remove();
    }
  });
});

describe('malicious layers', () => {
  const cases: [string, Parameters<typeof buildTar>[0], string][] = [
    ['dot-dot path', [{ path: '../../escaped-by-tsdock-test', body: 'x' }], '../../escaped-by-tsdock-test'],
    ['symlink escape', [{ path: 'link', type: 'symlink', linkpath: '/' }, { path: 'link/escaped-by-tsdock-test', body: 'x' }], 'link/escaped-by-tsdock-test'],
    ['hardlink outside', [{ path: 'h', type: 'hardlink', linkpath: '../../../etc/passwd' }], 'h'],
  ];
  for (const [name, entries, entry] of cases) {
    it(`refuses a layer with a ${name}, naming the entry`, async () => {
      await uploadImage(reg.url, `evil/${name.replace(/\W/g, '')}:1`, [buildTar(entries)]);
      const box = await makeSandbox();
      try {
        const r = await box.run(['pull', `${reg.addr}/evil/${name.replace(/\W/g, '')}:1`]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`"${entry}"`);
        const s = await storeState(box.root);
        expect(s.layers).toEqual([]);
        expect(s.images).toEqual([]);
        await expect(stat('/escaped-by-tsdock-test')).rejects.toThrow(/ENOENT/);
        await expect(stat(join(box.root, '..', 'escaped-by-tsdock-test'))).rejects.toThrow(/ENOENT/);
      } finally {
        await box.remove();
      }
    });
  }
});

describe('SIGKILL in the middle of a pull', () => {
  it('leaves a store that loads, is cleaned on the next run, and pulls again', { timeout: 300_000 }, async () => {
    await pushFixture(reg, 'big', 'latest', 'big:latest');
    const box = await makeSandbox();
    try {
      const child = spawn(TSDOCK_BIN, ['pull', '-q', `${reg.addr}/big:latest`], { env: box.env, stdio: 'ignore' });
      const ingest = join(box.root, 'ingest');
      // Kill once some layer bytes have landed but long before the pull is done.
      for (let i = 0; i < 2000; i++) {
        const files = await readdir(ingest).catch(() => [] as string[]);
        const sizes = await Promise.all(files.map((f) => stat(join(ingest, f)).then((s) => s.size, () => 0)));
        if (sizes.some((s) => s > 1_000_000)) break;
        await sleep(5);
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const left = await storeState(box.root);
      expect(left.ingest.length + left.layers.filter((l) => l.startsWith('.tmp-')).length).toBeGreaterThan(0);
      expect(left.images).toEqual([]);

      const images = await box.run(['images', '-q']);
      expect(images.code, images.stderr).toBe(0);
      expect(images.stdout).toBe('');
      const cleaned = await storeState(box.root);
      expect(cleaned.ingest).toEqual([]);
      expect(cleaned.layers.filter((l) => l.startsWith('.tmp-'))).toEqual([]);

      const again = await box.run(['pull', '-q', `${reg.addr}/big:latest`]);
      expect(again.code, again.stderr).toBe(0);
      const inspect = JSON.parse((await box.run(['image', 'inspect', `${reg.addr}/big:latest`])).stdout)[0];
      expect(inspect.RootFS.Layers.length).toBeGreaterThanOrEqual(4);
      expect(inspect.Size).toBeGreaterThan(100_000_000);
    } finally {
      await box.remove();
    }
  });
});

describe('leftovers of a pull that is never retried', () => {
  it('image prune removes layers and blobs no image refers to once they are an hour old, not before', async () => {
    await pushFixture(reg, 'layered', 'v1', 'orphans:v1');
    const box = await makeSandbox();
    try {
      expect((await box.run(['pull', '-q', `${reg.addr}/orphans:v1`])).code).toBe(0);
      const pulled = await storeState(box.root);
      const layerDirs = pulled.layers.filter((l) => /^[0-9a-f]{64}$/.test(l));
      expect(layerDirs.length).toBeGreaterThanOrEqual(3);
      // The state a pull killed after its layers but before its image record leaves behind.
      for (const f of pulled.images) await rm(join(box.root, 'images', f));
      await writeFile(join(box.root, 'repositories.json'), '{}');

      // Young leftovers may be a pull still running in another process: kept.
      const early = await box.run(['image', 'prune', '-f']);
      expect(early.code, early.stderr).toBe(0);
      expect((await storeState(box.root)).layers).toEqual(pulled.layers);

      const hoursAgo = new Date(Date.now() - 2 * 3600_000);
      for (const l of layerDirs) await utimes(join(box.root, 'layers', l, 'layer.json'), hoursAgo, hoursAgo);
      for (const b of pulled.blobs) await utimes(join(box.root, 'blobs/sha256', b), hoursAgo, hoursAgo);
      const late = await box.run(['image', 'prune', '-f']);
      expect(late.code, late.stderr).toBe(0);
      for (const l of layerDirs) expect(late.stdout).toContain(`deleted: sha256:${l}`);
      expect(late.stdout).toMatch(/Total reclaimed space: [1-9][\d.]*[kMG]?B/);
      const after = await storeState(box.root);
      expect(after.layers.filter((l) => /^[0-9a-f]{64}$/.test(l))).toEqual([]);
      expect(after.blobs).toEqual([]);

      const again = await box.run(['pull', '-q', `${reg.addr}/orphans:v1`]);
      expect(again.code, again.stderr).toBe(0);
      expect((await box.run(['images', '-q'])).stdout.trim()).toMatch(/^[0-9a-f]{12}$/);
    } finally {
      await box.remove();
    }
  });
});
