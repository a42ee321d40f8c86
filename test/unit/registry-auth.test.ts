// Registry authentication with the real RegistryClient (and its AuthTransport) against the
// in-process registry: Bearer tokens fetched once and cached per scope, refreshed when they
// expire or are refused, Basic credentials, `login`'s check, and the kinds and messages of refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RegistryClient } from '../../src/core/registry/registry-client.js';
import { AuthTransport } from '../../src/core/registry/auth-transport.js';
import { CredentialStore, type Credentials } from '../../src/core/registry/credentials.js';
import { httpTransport } from '../../src/core/registry/http-transport.js';
import { defaultConfig } from '../../src/core/config.js';
import { errorKind } from '../../src/core/errors.js';
import { MemoryRegistry, sha256, type MemoryRegistryOptions } from '../helpers/memory-registry.js';
import { failure } from '../helpers/rejection.js';

const noCredentials = new CredentialStore(join(tmpdir(), 'tsdock-no-such-dir', 'config.json'));
const alice: Credentials = { username: 'alice', password: 'secret' };
type Digest = `sha256:${string}`;

let registry: MemoryRegistry;
afterEach(() => registry.close());

/** A test clock both sides read: tokens expire when the test says so. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => t, advance: (ms) => void (t += ms) };
}

async function start(options: MemoryRegistryOptions) {
  registry = await MemoryRegistry.start(options);
  const image = registry.putImage('team/app', 'v1', [Buffer.from('a'), Buffer.from('b'), Buffer.from('c'), Buffer.from('d')]);
  registry.putImage('team/other', 'v1', [Buffer.from('e')]);
  return image;
}

function clientFor(creds?: Credentials, now?: () => number): RegistryClient {
  return new RegistryClient(registry.host, defaultConfig(), noCredentials, creds, { now });
}

const unauthorizedCount = () => registry.requests.filter((r) => r.status === 401).length;

describe('Bearer tokens', () => {
  it('one token request serves the manifest and every blob of a repository', async () => {
    const image = await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const client = clientFor(alice);
    const { endpoint } = await client.getManifest('team/app', 'v1');
    for (const d of [image.configDigest, ...image.layerDigests]) await client.fetchBlobBytes(endpoint, 'team/app', d as Digest);
    expect(registry.tokenRequests).toEqual([{ account: 'alice', scopes: ['repository:team/app:pull'], service: 'memory-registry', status: 200 }]);
    // Only the first request was challenged; the rest carried the token from the start.
    expect(unauthorizedCount()).toBe(1);
    const v2 = registry.requests.filter((r) => r.path.startsWith('/v2/'));
    expect(v2).toHaveLength(7);
    expect(v2.slice(1).every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('parallel requests that all meet the challenge share one token request', async () => {
    const image = await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const client = clientFor(alice);
    const blobs = await Promise.all(image.layerDigests.map((d) => client.fetchBlobBytes(registry.url, 'team/app', d as Digest)));
    expect(blobs.map(String)).toEqual(['a', 'b', 'c', 'd']);
    expect(registry.tokenRequests).toHaveLength(1);
  });

  it('asks for a token per repository and action, with a mount source among the scopes', async () => {
    const image = await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const client = clientFor(alice);
    await client.getManifest('team/app', 'v1');
    await client.getManifest('team/other', 'v1');
    expect(await client.startUpload('team/copy', { digest: image.layerDigests[0] as Digest, repo: 'team/app' })).toEqual({ mounted: true });
    expect(registry.tokenRequests.map((t) => t.scopes)).toEqual([
      ['repository:team/app:pull'],
      ['repository:team/other:pull'],
      ['repository:team/copy:pull,push', 'repository:team/app:pull'],
    ]);
  });

  it('fetches a new token once the cached one has expired, before the registry refuses it', async () => {
    const time = clock();
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' }, tokenSeconds: 300 }, now: time.now });
    const client = clientFor(alice, time.now);
    await client.getManifest('team/app', 'v1');
    time.advance(60_000);
    await client.getManifest('team/app', 'v1');
    expect(registry.tokenRequests).toHaveLength(1);
    time.advance(300_000);
    await client.getManifest('team/app', 'v1');
    expect(registry.tokenRequests).toHaveLength(2);
    expect(unauthorizedCount()).toBe(1);
  });

  it('a token the registry stops accepting is replaced and the request sent once more', async () => {
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const client = clientFor(alice);
    await client.getManifest('team/app', 'v1');
    registry.revokeTokens();
    expect((await client.getManifest('team/app', 'v1')).digest).toMatch(/^sha256:/);
    expect(registry.tokenRequests).toHaveLength(2);
    expect(unauthorizedCount()).toBe(2);
  });

  it('anonymous pulls get an anonymous token where the registry allows them', async () => {
    await start({ auth: { scheme: 'bearer', users: {}, anonymous: 'pull' } });
    expect((await clientFor().getManifest('team/app', 'v1')).digest).toMatch(/^sha256:/);
    expect(registry.tokenRequests).toEqual([{ scopes: ['repository:team/app:pull'], service: 'memory-registry', status: 200 }]);
  });

  it('without credentials, a pull is refused: unauthorized, saying to log in', async () => {
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const err = await failure(clientFor().getManifest('team/app', 'v1'));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toBe(
      `unauthorized: access to ${registry.host}/team/app was denied (authentication required); run \`tsdock login ${registry.host}\` with an account that may read it`,
    );
  });

  it('an anonymous push where only pulls are allowed: unauthorized, saying who may push', async () => {
    await start({ auth: { scheme: 'bearer', users: {}, anonymous: 'pull' } });
    const err = await failure(clientFor().startUpload('team/app'));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toContain('with an account that may push to it');
  });

  it('wrong credentials are refused by the token server: unauthorized, naming the user', async () => {
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    const err = await failure(clientFor({ username: 'alice', password: 'wrong' }).getManifest('team/app', 'v1'));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toBe(`unauthorized: the token server for ${registry.host} refused the stored credentials of "alice"; run \`tsdock login ${registry.host}\` again`);
  });

  it('the catalog asks for the registry-wide scope', async () => {
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    expect(await clientFor(alice).catalog()).toEqual(['team/app', 'team/other']);
    expect(registry.tokenRequests.map((t) => t.scopes)).toEqual([['registry:catalog:*']]);
  });

  it('a token server that fails: unavailable', async () => {
    await start({ auth: { scheme: 'bearer', users: { alice: 'secret' } } });
    // Faults apply to /v2/ paths only; a token endpoint that is not there answers 404 instead.
    const broken = new AuthTransport(
      { send: (url, req) => httpTransport.send(url.replace('/token?', '/token-gone?'), req) },
      { domain: registry.host, credentials: async () => alice },
    );
    const err = await failure(broken.send(`${registry.url}/v2/team/app/tags/list`, {}, ['repository:team/app:pull']));
    expect(errorKind(err)).toBe('not-found');
    expect(err.message).toBe(`token server ${registry.host} answered 404 Not Found`);
  });
});

describe('Basic credentials', () => {
  it('answers the challenge once, then sends them with every request', async () => {
    const image = await start({ auth: { scheme: 'basic', users: { alice: 'secret' } } });
    const client = clientFor(alice);
    await client.getManifest('team/app', 'v1');
    await client.fetchBlobBytes(registry.url, 'team/app', image.layerDigests[0] as Digest);
    await client.getManifest('team/other', 'v1');
    expect(unauthorizedCount()).toBe(1);
    expect(registry.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('alice:secret').toString('base64')}`);
    expect(registry.tokenRequests).toEqual([]);
  });

  it('without credentials: unauthorized, with the message pulls have always given', async () => {
    await start({ auth: { scheme: 'basic', users: { alice: 'secret' } } });
    const err = await failure(clientFor().getManifest('team/app', 'v1'));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toBe(`unauthorized: access to ${registry.host}/team/app was denied; run \`tsdock login ${registry.host}\` with an account that may read it`);
  });

  it('wrong ones: unauthorized, quoting the registry', async () => {
    await start({ auth: { scheme: 'basic', users: { alice: 'secret' } } });
    const err = await failure(clientFor({ username: 'alice', password: 'nope' }).blobExists('team/app', sha256(Buffer.from('x')) as Digest));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toContain(`access to ${registry.host}/team/app was denied`);
    expect(err.message).toContain('may push to it');
  });
});

describe('login check', () => {
  it.each([
    ['bearer', { scheme: 'bearer', users: { alice: 'secret' } }],
    ['basic', { scheme: 'basic', users: { alice: 'secret' } }],
  ] as const)('%s: accepts good credentials and refuses bad ones as unauthorized', async (_name, auth) => {
    await start({ auth: { ...auth, users: { ...auth.users } } });
    await clientFor().checkLogin(alice);
    const err = await failure(clientFor().checkLogin({ username: 'alice', password: 'wrong' }));
    expect(errorKind(err)).toBe('unauthorized');
    expect(err.message).toMatch(auth.scheme === 'basic' ? /^login to .* failed: unauthorized: incorrect username or password$/ : /refused the stored credentials of "alice"/);
  });

  it('a server that is no registry is said to be one that may not be', async () => {
    await start({});
    registry.inject({ path: /^\/v2\/$/, fault: { kind: 'status', status: 502 } });
    const err = await failure(clientFor().checkLogin(alice));
    expect(errorKind(err)).toBe('unavailable');
    expect(err.message).toBe(`registry ${registry.host} answered 502 Bad Gateway to /v2/; is it a registry?`);
  });
});
