// Test-side API of tsdock's integration test bed (see global-setup.ts for what is running).
//
//   const tb = getTestbed();                  // registries, credentials, pushed images, fixtures
//   const reg = await startRegistry('open');  // a private registry for destructive tests
//   await pushFixture(reg, 'busybox', 'latest', 'victim/busybox:latest');
//   await truncate(blobPath(reg.storage, digest), 10);
//   await reg.stop();
import { inject } from 'vitest';
import {
  blobPath,
  buildFixtures,
  fixtureCacheDir,
  MEDIA_TYPES,
  pushFixtureTo,
  startRegistry,
  type FixtureName,
  type Platform,
  type PushedImage,
  type PushFormat,
  type RegistryHandle,
  type RegistryInfo,
  type RegistryMode,
} from './control.js';

export { blobPath, MEDIA_TYPES, startRegistry };
export type { FixtureName, Platform, PushedImage, PushFormat, RegistryHandle, RegistryInfo, RegistryMode };

/** The shared test bed, provided by global-setup.ts to every integration test file. */
export interface Testbed {
  /** Cache dir of fixture OCI layouts ($TSDOCK_TESTBED_CACHE, default /var/tmp/tsdock-testbed). */
  fixturesDir: string;
  /** OCI layout path per fixture. Tags: busybox latest+1.36; layered v1;
   *  multiarch latest (index) + amd64 + arm64. `big` only when built (ensureFixture). */
  fixtures: Record<'busybox' | 'layered' | 'multiarch', string> & { big?: string };
  /** Temp dir holding the three registries' state; removed at teardown. */
  tempDir: string;
  registries: Record<RegistryMode, RegistryInfo>;
  /** URL of the token server used by registries.token. */
  tokenServer: string;
  /** Every image pushed at setup, as the registries serve it. */
  pushed: PushedImage[];
  /** Setup timings in milliseconds (fixtures includes a cache check when nothing is rebuilt). */
  timings: { fixturesMs: number; fixturesRebuilt: boolean; registriesMs: number; pushMs: number; totalMs: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: Testbed;
  }
}

export function getTestbed(): Testbed {
  const tb = inject('testbed');
  if (!tb) {
    throw new Error('no test bed: run this file in the vitest "integration" project (globalSetup global-setup.ts)');
  }
  return tb;
}

/** Builds (once, cached) a fixture that setup does not build, i.e. `big`; returns its layout dir. */
export async function ensureFixture(name: FixtureName): Promise<string> {
  const dir = getTestbedOrNull()?.fixturesDir ?? fixtureCacheDir();
  await buildFixtures(dir, name === 'big' ? ['big'] : []);
  return `${dir}/${name}`;
}

function getTestbedOrNull(): Testbed | undefined {
  try {
    return inject('testbed');
  } catch {
    return undefined;
  }
}

/** Pushes a fixture (from the shared cache) into a registry, e.g. one from startRegistry(). */
export async function pushFixture(
  registry: RegistryInfo,
  fixture: FixtureName,
  tag: string,
  repoTag: string,
  format: PushFormat = 'oci',
): Promise<PushedImage> {
  const dir = getTestbedOrNull()?.fixturesDir ?? fixtureCacheDir();
  if (fixture === 'big') await buildFixtures(dir, ['big']);
  return pushFixtureTo(dir, registry, fixture, tag, repoTag, format);
}

/** Finds the registry serving a pushed image. */
export function registryOf(tb: Testbed, image: PushedImage): RegistryInfo {
  const reg = Object.values(tb.registries).find((r) => r.addr === image.registry);
  if (!reg) throw new Error(`no registry at ${image.registry}`);
  return reg;
}

/**
 * Gets a Bearer token from a `token` registry's token server, with its Basic credentials unless
 * `anonymous`. scope: e.g. `repository:secure/busybox:pull`.
 */
export async function fetchToken(registry: RegistryInfo, scope: string, anonymous = false): Promise<string> {
  if (!registry.tokenServer) throw new Error(`${registry.mode} registry has no token server`);
  const url = new URL(registry.tokenServer);
  url.searchParams.set('service', registry.service ?? '');
  url.searchParams.set('scope', scope);
  const headers: Record<string, string> = {};
  if (!anonymous && registry.credentials) headers.authorization = basicAuth(registry.credentials);
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`token server answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error('token server answered without a token');
  return token;
}

export function basicAuth(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Parses a `WWW-Authenticate: Bearer realm="..",service="..",scope=".."` challenge. */
export function parseBearerChallenge(header: string | null): Record<string, string> | null {
  if (!header || !/^Bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z_]+)="([^"]*)"/gi)) params[m[1].toLowerCase()] = m[2];
  return params;
}

/**
 * fetch() against a test registry with its credentials applied, independent of tsdock's own
 * registry client (use it to check what tsdock pushed). `basic`: Basic credentials up front.
 * `token`: the real Docker flow (request, 401 Bearer challenge, token from the challenge's realm
 * for its service and scope, retry), so the body must be re-sendable (string/Buffer); or pass
 * opts.scope to get the token first. opts.anonymous: no credentials (the token has no access).
 * path: e.g. `/v2/library/busybox/manifests/latest`.
 */
export async function registryFetch(
  registry: RegistryInfo,
  path: string,
  init: RequestInit = {},
  opts: { scope?: string; anonymous?: boolean } = {},
): Promise<Response> {
  const url = `${registry.url}${path}`;
  const headers = new Headers(init.headers);
  const creds = opts.anonymous ? null : registry.credentials;
  if (registry.mode === 'basic' && creds) headers.set('authorization', basicAuth(creds));
  if (registry.mode !== 'token' || headers.has('authorization')) return fetch(url, { ...init, headers });

  if (opts.scope) {
    headers.set('authorization', `Bearer ${await fetchToken(registry, opts.scope, opts.anonymous)}`);
    return fetch(url, { ...init, headers });
  }
  const first = await fetch(url, { ...init, headers });
  const challenge = first.status === 401 ? parseBearerChallenge(first.headers.get('www-authenticate')) : null;
  if (!challenge?.realm) return first;
  await first.arrayBuffer(); // release the connection
  const tokenUrl = new URL(challenge.realm);
  if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
  if (challenge.scope) tokenUrl.searchParams.set('scope', challenge.scope);
  const tokenRes = await fetch(tokenUrl, { headers: creds ? { authorization: basicAuth(creds) } : {} });
  if (!tokenRes.ok) throw new Error(`token server answered ${tokenRes.status}: ${await tokenRes.text()}`);
  const body = (await tokenRes.json()) as { token?: string; access_token?: string };
  headers.set('authorization', `Bearer ${body.token ?? body.access_token}`);
  return fetch(url, { ...init, headers });
}
