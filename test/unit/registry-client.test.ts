// The real RegistryClient against the in-process registry (test/helpers/memory-registry.ts):
// manifests, blobs, tags and catalog pagination, uploads in one piece, in chunks and by mount,
// mirrors, and the kinds and messages of its errors. Auth has its own file (registry-auth.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RegistryClient } from '../../src/core/registry/registry-client.js';
import { CredentialStore } from '../../src/core/registry/credentials.js';
import { httpTransport } from '../../src/core/registry/http-transport.js';
import type { Transport } from '../../src/core/registry/transport.js';
import { defaultConfig } from '../../src/core/config.js';
import { errorKind } from '../../src/core/errors.js';
import { kindOfStatus } from '../../src/core/registry/registry-errors.js';
import { parseWwwAuthenticate } from '../../src/core/registry/www-authenticate.js';
import { nextLink } from '../../src/core/registry/link-header.js';
import { receivedBytes, uploadUrl } from '../../src/core/registry/blob-upload.js';
import { MemoryRegistry, sha256 } from '../helpers/memory-registry.js';
import { failure } from '../helpers/rejection.js';
import { uploadImage } from '../helpers/registry-upload.js';

const noCredentials = new CredentialStore(join(tmpdir(), 'tsdock-no-such-dir', 'config.json'));
type Digest = `sha256:${string}`;

let registry: MemoryRegistry;
let client: RegistryClient;
let image: ReturnType<MemoryRegistry['putImage']>;
const layers = [Buffer.from('layer one'), Buffer.from('layer two, a little longer')];

beforeAll(async () => {
  registry = await MemoryRegistry.start({ maxPageSize: 2 });
  image = registry.putImage('library/app', 'v1', layers);
  client = new RegistryClient(registry.host, defaultConfig(), noCredentials);
});
afterAll(() => registry.close());

describe('manifests and blobs', () => {
  it('fetches a manifest by tag and by digest, from the registry itself', async () => {
    const byTag = await client.getManifest('library/app', 'v1');
    expect(byTag.digest).toBe(image.manifestDigest);
    expect(byTag.bytes.equals(image.manifest)).toBe(true);
    expect(byTag.endpoint).toBe(registry.url);
    expect(byTag.manifest.kind === 'manifest' && byTag.manifest.layers.map((l) => l.digest)).toEqual(image.layerDigests);
    const byDigest = await client.getManifest('library/app', image.manifestDigest);
    expect(byDigest.digest).toBe(image.manifestDigest);
  });

  it('resolves a tag to its digest with a HEAD', async () => {
    const before = registry.requests.length;
    expect(await client.manifestDigest('library/app', 'v1')).toBe(image.manifestDigest);
    expect(registry.requests.slice(before).map((r) => r.method)).toEqual(['HEAD']);
  });

  it('reads blobs whole or as a stream', async () => {
    expect((await client.fetchBlobBytes(registry.url, 'library/app', image.layerDigests[0] as Digest)).toString()).toBe('layer one');
    const res = await client.openBlob(registry.url, 'library/app', image.layerDigests[1] as Digest);
    expect(res.headers['content-length']).toBe(String(layers[1]!.length));
    expect((await res.text())).toBe('layer two, a little longer');
  });

  it('reads what an independent client (plain fetch, monolithic uploads) put there', async () => {
    const tar = Buffer.from('not really a tar, but bytes all the same');
    const uploaded = await uploadImage(registry.url, 'other/client:1.0', [tar]);
    const fetched = await client.getManifest('other/client', '1.0');
    expect(fetched.digest).toBe(uploaded.manifestDigest);
    expect(fetched.manifest.kind === 'manifest' && fetched.manifest.layers[0]?.digest).toBe(uploaded.layerDigests[0]);
    expect(await client.blobExists('other/client', uploaded.layerDigests[0] as Digest)).toBe(true);
  });

  it('an unknown tag: not-found, naming the tag and suggesting `tsdock tags`', async () => {
    const err = await failure(client.getManifest('library/app', 'nope'));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toBe(`manifest for ${registry.host}/library/app:nope not found: manifest unknown; check the tag with \`tsdock tags ${registry.host}/library/app\``);
  });

  it('an unknown repository: not-found, saying it may not exist', async () => {
    const err = await failure(client.getManifest('no/such/repo', 'latest'));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toBe(`repository ${registry.host}/no/such/repo not found: it does not exist or may require \`tsdock login\``);
  });

  it('an unknown blob: not-found', async () => {
    const err = await failure(client.fetchBlobBytes(registry.url, 'library/app', sha256(Buffer.from('never stored')) as Digest));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toMatch(/^blob .*library\/app@sha256:[0-9a-f]{64} not found on the registry$/);
  });
});

describe('faults', () => {
  it('a 500: unavailable, quoting the registry and saying to try later', async () => {
    registry.inject({ path: /\/manifests\/v1$/, fault: { kind: 'status', status: 500, code: 'UNKNOWN', message: 'storage backend exploded' }, times: 1 });
    const err = await failure(client.getManifest('library/app', 'v1'));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toBe(`registry ${registry.host} answered 500 Internal Server Error for manifest ${registry.host}/library/app:v1: storage backend exploded; the registry failed, try again later`);
  });

  it('a 403 from the registry itself: forbidden', async () => {
    registry.inject({ path: /\/tags\/list$/, fault: { kind: 'status', status: 403, code: 'DENIED', message: 'requested access to the resource is denied' }, times: 1 });
    const err = await failure(client.listTags('library/app'));
    expect(errorKind(err)).toBe('forbidden');
    expect(err.message).toBe(
      `unauthorized: access to ${registry.host}/library/app was denied (requested access to the resource is denied); run \`tsdock login ${registry.host}\` with an account that may read it`,
    );
  });

  it('a registry that is not there: unavailable, naming the address', async () => {
    const port = await closedPort();
    const err = await failure(new RegistryClient(`127.0.0.1:${port}`, defaultConfig(), noCredentials).getManifest('library/app', 'v1'));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toContain(`cannot reach 127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('a registry that stops answering: the transport gives up after its timeout, unavailable', async () => {
    registry.inject({ path: /\/manifests\/v1$/, fault: { kind: 'hang' }, times: 1 });
    const err = await failure(httpTransport.send(`${registry.url}/v2/library/app/manifests/v1`, { timeoutMs: 200 }));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toContain(`cannot reach ${registry.host}: ETIMEDOUT`);
  });

  it('a manifest whose bytes do not match the digest asked for is refused', async () => {
    registry.inject({ method: 'GET', path: /\/manifests\/sha256:/, fault: { kind: 'corrupt' }, times: 1 });
    const err = await failure(client.getManifest('library/app', image.manifestDigest));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toMatch(/does not match its digest .*the registry served corrupt data/);
  });

  it('a blob whose bytes do not match its digest is refused', async () => {
    registry.inject({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'corrupt' }, times: 1 });
    const err = await failure(client.fetchBlobBytes(registry.url, 'library/app', image.configDigest as Digest));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toContain(`blob ${registry.host}/library/app@${image.configDigest} does not match its digest`);
  });

  it('a blob cut off mid-body: unavailable', async () => {
    registry.inject({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'truncate' }, times: 1 });
    const err = await failure(client.fetchBlobBytes(registry.url, 'library/app', image.layerDigests[1] as Digest));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toContain(`the connection to ${registry.host} broke before the whole answer arrived`);
  });
});

describe('tags and catalog', () => {
  it('follows tags/list pagination (Link rel="next") to the last page', async () => {
    for (const t of ['a', 'b', 'c', 'd']) registry.putManifest('paged/app', t, image.manifest);
    const before = registry.requests.length;
    expect(await client.listTags('paged/app')).toEqual(['a', 'b', 'c', 'd']);
    const pages = registry.requests.slice(before).filter((r) => r.path.includes('/tags/list'));
    expect(pages.map((r) => r.path)).toEqual(['/v2/paged/app/tags/list', '/v2/paged/app/tags/list?last=b&n=2']);
  });

  it('lists the repositories of the catalog across pages', async () => {
    registry.putManifest('zz/last', 'x', image.manifest);
    const repos = await client.catalog();
    expect(repos).toEqual([...registry.repositories.entries()].filter(([, r]) => r.manifests.size > 0).map(([n]) => n).sort());
    expect(repos.length).toBeGreaterThan(2);
  });

  it('tags of an unknown repository: not-found', async () => {
    const err = await failure(client.listTags('nobody/here'));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toBe(`repository ${registry.host}/nobody/here not found: it does not exist or may require \`tsdock login\``);
  });
});

describe('uploads', () => {
  it('checks whether a blob exists', async () => {
    expect(await client.blobExists('library/app', image.layerDigests[0] as Digest)).toBe(true);
    expect(await client.blobExists('library/app', sha256(Buffer.from('absent')) as Digest)).toBe(false);
  });

  it('uploads a blob in one PUT', async () => {
    const data = Buffer.from('monolithic blob');
    const start = await client.startUpload('up/mono');
    if (start.mounted) throw new Error('nothing to mount from');
    await client.completeUpload('up/mono', start.location, sha256(data) as Digest, data);
    expect(registry.blob('up/mono', sha256(data))?.equals(data)).toBe(true);
  });

  it('uploads a blob in chunks, following each Location with its state, then pushes a manifest', async () => {
    const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    const digest = sha256(data) as Digest;
    const start = await client.startUpload('up/chunked');
    if (start.mounted) throw new Error('nothing to mount from');
    let location = start.location;
    for (let offset = 0; offset < data.length; offset += 10) {
      location = await client.uploadChunk('up/chunked', location, data.subarray(offset, offset + 10), offset);
    }
    await client.completeUpload('up/chunked', location, digest);
    expect(registry.blob('up/chunked', digest)?.equals(data)).toBe(true);
    expect(registry.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/v2/up/chunked/')).map((r) => r.contentRange)).toEqual(['0-9', '10-19', '20-29', '30-35']);

    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: data.length }, layers: [] }));
    const pushed = await client.putManifest('up/chunked', 'v2', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect(pushed).toBe(sha256(manifest));
    expect((await client.getManifest('up/chunked', 'v2')).digest).toBe(pushed);
  });

  it('mounts a blob from a sibling repository, and opens a session when the source lacks it', async () => {
    const digest = image.layerDigests[0] as Digest;
    expect(await client.startUpload('up/mounted', { digest, repo: 'library/app' })).toEqual({ mounted: true });
    expect(registry.blob('up/mounted', digest)?.toString()).toBe('layer one');
    const refused = await client.startUpload('up/mounted', { digest, repo: 'no/source' });
    expect(refused.mounted).toBe(false);
    if (!refused.mounted) await client.cancelUpload('up/mounted', refused.location);
    expect(registry.openUploads).toBe(0);
  });

  it('a digest that does not match the uploaded bytes is refused by the registry: invalid-argument', async () => {
    const start = await client.startUpload('up/wrong');
    if (start.mounted) throw new Error('nothing to mount from');
    const err = await failure(client.completeUpload('up/wrong', start.location, sha256(Buffer.from('other bytes')) as Digest, Buffer.from('these bytes')));
    expect(errorKind(err)).toBe('invalid-argument');
    expect(err.message).toBe(
      `registry ${registry.host} answered 400 Bad Request while completing the upload of ${sha256(Buffer.from('other bytes'))} to ${registry.host}/up/wrong: digest invalid: provided digest did not match uploaded content`,
    );
  });

  it('a 500 while starting an upload: unavailable, saying what was being done', async () => {
    registry.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 500, code: 'UNKNOWN', message: 'internal failure' }, times: 1 });
    const err = await failure(client.startUpload('up/broken'));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toBe(`registry ${registry.host} answered 500 Internal Server Error while starting an upload to ${registry.host}/up/broken: unknown: internal failure; the registry failed, try again later`);
  });

  it('a 404 while pushing: not-found, with a hint', async () => {
    registry.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 404, code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }, times: 1 });
    const err = await failure(client.startUpload('up/broken'));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toMatch(/answered 404 Not Found while starting an upload .*name unknown: repository name not known to registry; check the repository name$/);
  });
});

describe('mirrors of docker.io', () => {
  it('are asked first; a failing mirror falls back to the registry itself', async () => {
    const mirror = await MemoryRegistry.start();
    const hub = await MemoryRegistry.start();
    try {
      const onHub = hub.putImage('library/busybox', 'latest', [Buffer.from('hub layer')]);
      mirror.putImage('library/busybox', 'latest', [Buffer.from('mirror layer')]);
      // registry-1.docker.io is served by `hub` here: the real transport, with its address rewritten.
      const toHub: Transport = { send: (url, req) => httpTransport.send(url.replace('https://registry-1.docker.io', hub.url), req) };
      const config = { ...defaultConfig(), 'registry-mirrors': [`${mirror.url}/`] };
      const hubClient = new RegistryClient('docker.io', config, noCredentials, undefined, { transport: toHub });
      expect(hubClient.endpoints()).toEqual([mirror.url, 'https://registry-1.docker.io']);

      const fromMirror = await hubClient.getManifest('library/busybox', 'latest');
      expect(fromMirror.endpoint).toBe(mirror.url);

      mirror.inject({ path: /manifests/, fault: { kind: 'status', status: 500 } });
      const fromHub = await hubClient.getManifest('library/busybox', 'latest');
      expect(fromHub.endpoint).toBe('https://registry-1.docker.io');
      expect(fromHub.digest).toBe(onHub.manifestDigest);
    } finally {
      await mirror.close();
      await hub.close();
    }
  });
});

describe('error kinds', () => {
  it('follow the HTTP status, and the distribution code for things unknown', () => {
    expect([401, 403, 404, 405, 409, 400, 416, 429, 500, 503].map((s) => kindOfStatus(s))).toEqual([
      'unauthorized',
      'forbidden',
      'not-found',
      'not-implemented',
      'conflict',
      'invalid-argument',
      'invalid-argument',
      'unavailable',
      'unavailable',
      'unavailable',
    ]);
    expect(kindOfStatus(400, 'BLOB_UNKNOWN')).toBe('not-found');
  });

  it('a registry breaking the protocol is unavailable; a broken credentials file is invalid-argument', async () => {
    const kindOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return errorKind(err);
      }
      throw new Error('expected a failure');
    };
    expect(kindOf(() => parseWwwAuthenticate('Bearer realm="unterminated'))).toBe('unavailable');
    expect(kindOf(() => nextLink('</v2/_catalog; rel="next"', registry.url))).toBe('unavailable');
    expect(kindOf(() => receivedBytes('bytes 0-9/10'))).toBe('unavailable');
    expect(kindOf(() => uploadUrl(undefined, registry.url))).toBe('unavailable');
    const dir = await mkdtemp(join(tmpdir(), 'tsdock-creds-'));
    try {
      await writeFile(join(dir, 'config.json'), '{"auths": {');
      expect(errorKind(await failure(new CredentialStore(join(dir, 'config.json')).get('x')))).toBe('invalid-argument');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
