// `tsdock push` against real registries (Debian's docker-registry on 127.0.0.1): what it
// pushed is read back with skopeo (digest, and a copy that verifies every blob); existence
// checks, cross-repository mounts, monolithic and chunked uploads (seen through a recording
// proxy), Basic and token auth, and the errors of a missing image and a failing registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getTestbed, startRegistry, type RegistryHandle, type Testbed } from '../testbed/testbed.js';
import { makeSandbox, type Sandbox } from '../helpers/tsdock.js';

const execFileP = promisify(execFile);

let tb: Testbed;
let sb: Sandbox;
let scratch: string;
const cleanups: (() => Promise<void>)[] = [];
const run = randomBytes(3).toString('hex');

beforeAll(async () => {
  tb = getTestbed();
  sb = await makeSandbox();
  scratch = await mkdtemp(join(tmpdir(), 'tsdock-push-'));
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await sb.remove();
  await rm(scratch, { recursive: true, force: true });
});

async function ok(box: Sandbox, args: string[], input?: string): Promise<string> {
  const r = await box.run(args, { input });
  expect(r.code, `tsdock ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function skopeo(args: string[]): Promise<string> {
  return (await execFileP('skopeo', args, { maxBuffer: 16 << 20 })).stdout;
}

async function remoteDigest(ref: string, creds?: { username: string; password: string }): Promise<string> {
  const auth = creds ? ['--creds', `${creds.username}:${creds.password}`] : [];
  return JSON.parse(await skopeo(['inspect', '--tls-verify=false', ...auth, `docker://${ref}`])).Digest;
}

/** `id: status` lines of the push output, and its final `tag: digest: D size: N` line. */
function parsePush(stdout: string): { layers: Map<string, string[]>; tag: string; digest: string; size: number } {
  const layers = new Map<string, string[]>();
  let last: RegExpExecArray | null = null;
  for (const line of stdout.trimEnd().split('\n')) {
    const m = /^([0-9a-f]{12}): (.+)$/.exec(line);
    if (m) layers.set(m[1]!, [...(layers.get(m[1]!) ?? []), m[2]!]);
    last = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(line) ?? last;
  }
  expect(last, `no digest line in:\n${stdout}`).not.toBeNull();
  return { layers, tag: last![1]!, digest: last![2]!, size: Number(last![3]) };
}

const finalStates = (layers: Map<string, string[]>) => [...layers.values()].map((s) => s.at(-1)!);

async function repoDigests(box: Sandbox, ref: string): Promise<string[]> {
  return JSON.parse(await ok(box, ['image', 'inspect', ref]))[0].RepoDigests;
}

interface Recorded {
  method: string;
  path: string;
  contentRange?: string;
}

/** A forwarding proxy in front of a registry that records every request (Host kept, so Locations point back at it). */
async function recordingProxy(target: RegistryHandle): Promise<{ addr: string; seen: Recorded[] }> {
  const [host, port] = target.addr.split(':') as [string, string];
  const seen: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, path: req.url!, contentRange: req.headers['content-range'] });
    const up = request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode!, ur.headers as IncomingHttpHeaders);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { addr: `127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

async function freshRegistry(): Promise<RegistryHandle> {
  const reg = await startRegistry('open');
  cleanups.push(() => reg.stop());
  return reg;
}

describe('push to the registry an image came from', () => {
  let source: string;
  let fixtureDigest: string;

  beforeAll(async () => {
    source = `${tb.registries.open.addr}/library/busybox:latest`;
    fixtureDigest = tb.pushed.find((p) => p.registry === tb.registries.open.addr && p.repo === 'library/busybox' && p.tag === 'latest')!.digest;
    await ok(sb, ['pull', '-q', source]);
  });

  it('pushes a tag to a new repository: skopeo sees the digest tsdock printed, and a copy verifies every blob', async () => {
    const target = `${tb.registries.open.addr}/share-${run}/busybox:v1`;
    await ok(sb, ['tag', source, target]);
    const out = await ok(sb, ['push', target]);
    expect(out.split('\n')[0]).toBe(`The push refers to repository [${tb.registries.open.addr}/share-${run}/busybox]`);
    const pushed = parsePush(out);
    expect(pushed.tag).toBe('v1');
    // Same manifest bytes as the fixture (tsdock pushes what it pulled, unchanged).
    expect(pushed.digest).toBe(fixtureDigest);
    for (const state of finalStates(pushed.layers)) expect(state).toMatch(/^(Pushed|Mounted from library\/busybox)$/);
    expect(await remoteDigest(target)).toBe(pushed.digest);
    const dir = join(scratch, 'copy-v1');
    await skopeo(['copy', '--src-tls-verify=false', `docker://${target}`, `oci:${dir}:v1`]);
    expect(await repoDigests(sb, target)).toContain(`${tb.registries.open.addr}/share-${run}/busybox@${pushed.digest}`);
  });

  it('pushes again: every layer already exists', async () => {
    const target = `${tb.registries.open.addr}/share-${run}/busybox:v1`;
    const pushed = parsePush(await ok(sb, ['push', target]));
    expect(pushed.layers.size).toBeGreaterThan(0);
    expect(finalStates(pushed.layers)).toEqual([...pushed.layers.keys()].map(() => 'Layer already exists'));
  });

  it('mounts the blobs into a third repository instead of uploading them', async () => {
    const target = `${tb.registries.open.addr}/share-${run}/third:t`;
    await ok(sb, ['tag', source, target]);
    const pushed = parsePush(await ok(sb, ['push', target]));
    for (const state of finalStates(pushed.layers)) expect(state).toMatch(/^Mounted from (library\/busybox|share-[0-9a-f]+\/busybox)$/);
    expect(await remoteDigest(target)).toBe(pushed.digest);
  });

  it('uses the default tag latest, and -q prints only the reference', async () => {
    const repo = `${tb.registries.open.addr}/share-${run}/quiet`;
    await ok(sb, ['tag', source, repo]);
    expect(await ok(sb, ['image', 'push', '-q', repo])).toBe(`${repo}:latest\n`);
    const verbose = await ok(sb, ['push', repo]);
    expect(verbose.split('\n')[0]).toBe('Using default tag: latest');
    expect(parsePush(verbose).tag).toBe('latest');
  });
});

describe('uploads to a registry that has none of the blobs', () => {
  let layered: string;

  beforeAll(async () => {
    layered = `${tb.registries.open.addr}/layered:v1`;
    await ok(sb, ['pull', '-q', layered]);
  });

  it('monolithic: POST, then PUT ?digest= with the blob, for each of the 3 layers and the config', async () => {
    const reg = await freshRegistry();
    const proxy = await recordingProxy(reg);
    const target = `${proxy.addr}/mono/layered:v1`;
    await ok(sb, ['tag', layered, target]);
    const pushed = parsePush(await ok(sb, ['push', target]));
    expect(finalStates(pushed.layers)).toEqual(['Pushed', 'Pushed', 'Pushed']);
    expect(proxy.seen.filter((r) => r.method === 'PATCH')).toEqual([]);
    const puts = proxy.seen.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'));
    expect(puts).toHaveLength(4);
    for (const p of puts) expect(new URL(p.path, 'http://x').searchParams.get('digest')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await remoteDigest(`${reg.addr}/mono/layered:v1`)).toBe(pushed.digest);
    await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.addr}/mono/layered:v1`, `oci:${join(scratch, 'mono')}:v1`]);
  });

  it('chunked when a blob exceeds upload-chunk-size: contiguous PATCHes with Content-Range, following each Location', async () => {
    const reg = await freshRegistry();
    const proxy = await recordingProxy(reg);
    const box = await makeSandbox();
    cleanups.push(() => box.remove());
    const chunk = 64 * 1024;
    await box.setConfig({ 'upload-chunk-size': chunk });
    await ok(box, ['pull', '-q', layered]);
    const target = `${proxy.addr}/chunked/layered:v1`;
    await ok(box, ['tag', layered, target]);
    const pushed = parsePush(await ok(box, ['push', target]));
    expect(finalStates(pushed.layers)).toEqual(['Pushed', 'Pushed', 'Pushed']);

    const patches = proxy.seen.filter((r) => r.method === 'PATCH');
    // The busybox layer is about 1 MB: many chunks of 64 KiB.
    expect(patches.length).toBeGreaterThan(10);
    // Per upload session (its path), ranges start at 0 and continue without gaps.
    const sessions = new Map<string, [number, number][]>();
    const sessionOf = (path: string) => new URL(path, 'http://x').pathname;
    for (const p of patches) {
      const [a, b] = p.contentRange!.split('-').map(Number) as [number, number];
      expect(b - a + 1).toBeLessThanOrEqual(chunk);
      sessions.set(sessionOf(p.path), [...(sessions.get(sessionOf(p.path)) ?? []), [a, b]]);
    }
    for (const ranges of sessions.values()) {
      expect(ranges[0]![0]).toBe(0);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    }
    // Each session's chunks went to the Location the previous answer gave (its _state changes).
    const states = patches.map((p) => new URL(p.path, 'http://x').searchParams.get('_state'));
    expect(new Set(states).size).toBe(patches.length);

    expect(await remoteDigest(`${reg.addr}/chunked/layered:v1`)).toBe(pushed.digest);
    await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.addr}/chunked/layered:v1`, `oci:${join(scratch, 'chunked')}:v1`]);
    // And tsdock itself pulls it back into a fresh store with the same image ID.
    const back = await makeSandbox();
    cleanups.push(() => back.remove());
    await ok(back, ['pull', '-q', `${reg.addr}/chunked/layered:v1`]);
    const id = (box: Sandbox, ref: string) => ok(box, ['image', 'inspect', '--format', '{{.Id}}', ref]);
    expect(await id(back, `${reg.addr}/chunked/layered:v1`)).toBe(await id(box, layered));
  });
});

describe('an image made by tsdock (load)', () => {
  it('pushes its own gzip blobs in chunks; skopeo verifies them and a pull gives the same image ID', async () => {
    // save gives uncompressed layers; load stores them gzip-compressed by tsdock: blobs no
    // registry has seen, so every layer is uploaded (the refused mount attempts included).
    const archive = join(scratch, 'layered.tar');
    const layered = `${tb.registries.open.addr}/layered:v1`;
    await ok(sb, ['pull', '-q', layered]);
    await ok(sb, ['save', '-o', archive, layered]);
    const box = await makeSandbox();
    cleanups.push(() => box.remove());
    await box.setConfig({ 'upload-chunk-size': 100_000 });
    await ok(box, ['load', '-i', archive]);
    const target = `${tb.registries.open.addr}/share-${run}/loaded:v1`;
    await ok(box, ['tag', layered, target]);
    const pushed = parsePush(await ok(box, ['push', target]));
    expect(finalStates(pushed.layers)).toEqual(['Pushed', 'Pushed', 'Pushed']);
    expect(await remoteDigest(target)).toBe(pushed.digest);
    await skopeo(['copy', '--src-tls-verify=false', `docker://${target}`, `oci:${join(scratch, 'loaded')}:v1`]);
    const back = await makeSandbox();
    cleanups.push(() => back.remove());
    await ok(back, ['pull', '-q', target]);
    const id = (b: Sandbox, ref: string) => ok(b, ['image', 'inspect', '--format', '{{.Id}}', ref]);
    expect(await id(back, target)).toBe(await id(sb, layered));
  });
});

describe('authentication', () => {
  const cases = [
    ['htpasswd Basic', () => tb.registries.basic],
    ['Bearer token', () => tb.registries.token],
  ] as const;

  it.each(cases)('%s: refused without login (nothing changes locally), accepted after tsdock login', async (_name, registry) => {
    const reg = registry();
    const box = await makeSandbox();
    cleanups.push(() => box.remove());
    const source = `${tb.registries.open.addr}/library/busybox:latest`;
    await ok(box, ['pull', '-q', source]);
    const target = `${reg.addr}/pushed-${run}/busybox:v1`;
    await ok(box, ['tag', source, target]);
    const before = await repoDigests(box, target);

    const denied = await box.run(['push', target]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^Error: unauthorized: /);
    expect(denied.stderr).toContain(`tsdock login ${reg.addr}`);
    expect(denied.stderr).toContain('push to it');
    expect(await repoDigests(box, target)).toEqual(before);

    const { username, password } = reg.credentials!;
    await ok(box, ['login', '-u', username, '--password-stdin', reg.addr], password);
    const pushed = parsePush(await ok(box, ['push', target]));
    expect(await remoteDigest(target, reg.credentials!)).toBe(pushed.digest);
    expect(await repoDigests(box, target)).toContain(`${reg.addr}/pushed-${run}/busybox@${pushed.digest}`);
  });
});

describe('errors', () => {
  it('a name without a local image: Docker\'s message, exit 1', async () => {
    const r = await sb.run(['push', `${tb.registries.open.addr}/nothing/here:v1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: An image does not exist locally with the tag: ${tb.registries.open.addr}/nothing/here\n`);
    const all = await sb.run(['push', '-a', `${tb.registries.open.addr}/nothing/here`]);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain('An image does not exist locally with the tag');
  });

  it.each([
    [500, 'UNKNOWN', 'internal failure', /answered 500 Internal Server Error while starting an upload .*internal failure; the registry failed, try again later/],
    [404, 'NAME_UNKNOWN', 'repository name not known to registry', /answered 404 Not Found while starting an upload .*name unknown: repository name not known to registry; check the repository name/],
  ])('a registry answering %i: a clear message, nothing recorded locally', async (status, code, message, expected) => {
    // A fake registry: blobs are missing and opening an upload fails.
    const server = createServer((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code, message }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const addr = `127.0.0.1:${(server.address() as { port: number }).port}`;
      const target = `${addr}/broken/busybox:v1`;
      await ok(sb, ['tag', `${tb.registries.open.addr}/library/busybox:latest`, target]);
      const before = await repoDigests(sb, target);
      const r = await sb.run(['push', target]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
      expect(await repoDigests(sb, target)).toEqual(before);
      await ok(sb, ['rmi', target]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
