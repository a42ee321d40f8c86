import { createHash } from 'node:crypto';
import { httpTransport } from './http-transport.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';
import { AuthTransport } from './auth-transport.js';
import { accessDenied, statusError } from './registry-errors.js';
import { nextLink } from './link-header.js';
import { MANIFEST_ACCEPT } from '../oci/media-types.js';
import { parseManifest, type Manifest } from '../oci/manifest.js';
import { describeErrorBody, NotFoundError, RegistryError, UnauthorizedError } from './registry-errors.js';
import { contentRange, receivedBytes, uploadUrl } from './blob-upload.js';
import type { CredentialStore, Credentials } from './credentials.js';
import { registryEndpointHost } from '../oci/reference.js';
import { isInsecureRegistry, type RegistryConfigKeys } from './registry-config.js';
import type { Digest } from '../oci/digest.js';

export interface FetchedManifest {
  bytes: Buffer;
  digest: Digest;
  manifest: Manifest;
  /** The endpoint that served it: blobs of this image are fetched from the same one. */
  endpoint: string;
}

type Action = 'pull' | 'push' | 'catalog';

interface RequestInit extends Pick<TransportRequest, 'method' | 'headers'> {
  body?: Buffer;
  /** Scopes the token must grant besides the request's own (a mount needs pull on its source). */
  extraScopes?: string[];
}

export interface RegistryClientOptions {
  /** What requests go through (HTTP(S) by default); authentication is layered on top of it. */
  transport?: Transport;
  /** Clock for token expiry, in milliseconds since the epoch. */
  now?: () => number;
}

/** Where a blob push stands after its first request. */
export type UploadStart = { mounted: true } | { mounted: false; location: string };

/**
 * Client for one registry (a domain such as docker.io or 127.0.0.1:5000), speaking the OCI
 * distribution API over a transport wrapped in an AuthTransport, which answers auth challenges
 * (Bearer token or Basic) with the user's stored credentials. For docker.io it tries the
 * configured mirrors first.
 */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly auth: AuthTransport;

  constructor(
    readonly domain: string,
    private readonly config: RegistryConfigKeys,
    private readonly credentials: CredentialStore,
    private readonly explicitCredentials?: Credentials,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.transport = options.transport ?? httpTransport;
    this.auth = new AuthTransport(this.transport, { domain, credentials: () => this.credsFor(), now: options.now });
  }

  /** Base URLs to try in order. */
  endpoints(): string[] {
    const scheme = isInsecureRegistry(this.domain, this.config) ? 'http' : 'https';
    const upstream = `${scheme}://${registryEndpointHost(this.domain)}`;
    const mirrors = this.domain === 'docker.io' ? this.config['registry-mirrors'].map((m) => m.replace(/\/$/, '')) : [];
    return [...mirrors, upstream];
  }

  /** Tries each endpoint in turn; the last one's error is the one reported. */
  private async firstEndpoint<T>(fn: (endpoint: string) => Promise<T>): Promise<T> {
    const endpoints = this.endpoints();
    for (let i = 0; ; i++) {
      try {
        return await fn(endpoints[i]!);
      } catch (err) {
        // A mirror that fails in any way is skipped, as Docker does: the registry itself decides.
        if (i === endpoints.length - 1) throw err;
      }
    }
  }

  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    return this.firstEndpoint((endpoint) => this.getManifestFrom(endpoint, repo, reference));
  }

  async getManifestFrom(endpoint: string, repo: string, reference: string): Promise<FetchedManifest> {
    const where = `${this.domain}/${repo}${reference.includes(':') ? '@' : ':'}${reference}`;
    const res = await this.request(endpoint, `/v2/${repo}/manifests/${reference}`, repo, 'pull', {
      headers: { Accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404 && !(await this.repositoryExists(endpoint, repo))) {
      res.discard();
      throw new NotFoundError(`repository ${this.domain}/${repo} not found: it does not exist or may require \`tsdock login\``, 'NAME_UNKNOWN');
    }
    await this.expectOk(res, where, 'manifest');
    const bytes = await res.bytes();
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new RegistryError('unavailable', `manifest for ${where} does not match its digest (got ${digest}); the registry served corrupt data`);
    }
    const manifest = parseManifest(bytes, res.headers['content-type'], where);
    return { bytes, digest, manifest, endpoint };
  }

  /**
   * The digest a tag (or digest) currently resolves to, without downloading the manifest: a HEAD
   * answered with Docker-Content-Digest. Registries that omit the header get a GET, hashed here.
   * The digest is the top one (an index when there is one), the one `repoDigests` record.
   */
  async manifestDigest(repo: string, reference: string): Promise<Digest> {
    return this.firstEndpoint(async (endpoint) => {
      const res = await this.request(endpoint, `/v2/${repo}/manifests/${reference}`, repo, 'pull', { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT } });
      res.discard();
      if (res.status < 200 || res.status >= 300) {
        // A HEAD answer has no body to explain itself: GET again for the registry's error message.
        return (await this.getManifestFrom(endpoint, repo, reference)).digest;
      }
      const header = res.headers['docker-content-digest'];
      const digest = Array.isArray(header) ? header[0] : header;
      if (digest && /^sha256:[a-f0-9]{64}$/.test(digest)) return digest as Digest;
      return (await this.getManifestFrom(endpoint, repo, reference)).digest;
    });
  }

  /** Registries answer MANIFEST_UNKNOWN for unknown repositories too; the tag list tells them apart. */
  private async repositoryExists(endpoint: string, repo: string): Promise<boolean> {
    const res = await this.request(endpoint, `/v2/${repo}/tags/list`, repo, 'pull');
    res.discard();
    return res.status !== 404;
  }

  /** Opens a blob for streaming; the caller reads and verifies the body. */
  async openBlob(endpoint: string, repo: string, digest: Digest): Promise<TransportResponse> {
    const res = await this.request(endpoint, `/v2/${repo}/blobs/${digest}`, repo, 'pull');
    await this.expectOk(res, `${this.domain}/${repo}@${digest}`, 'blob');
    return res;
  }

  /** A whole (small) blob, such as an image config, checked against its digest. */
  async fetchBlobBytes(endpoint: string, repo: string, digest: Digest): Promise<Buffer> {
    const bytes = await (await this.openBlob(endpoint, repo, digest)).bytes();
    const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (digest.startsWith('sha256:') && got !== digest) {
      throw new RegistryError('unavailable', `blob ${this.domain}/${repo}@${digest} does not match its digest (got ${got}); the registry served corrupt data`);
    }
    return bytes;
  }

  /** All tags, following `Link: rel="next"` pagination. */
  async listTags(repo: string): Promise<string[]> {
    return this.firstEndpoint(async (endpoint) => {
      const tags: string[] = [];
      let url: string | undefined = `${endpoint}/v2/${repo}/tags/list`;
      while (url) {
        const res = await this.request(endpoint, url.slice(endpoint.length), repo, 'pull');
        await this.expectOk(res, `${this.domain}/${repo}`, 'repository');
        const body = JSON.parse(await res.text()) as { tags?: string[] | null };
        tags.push(...(body.tags ?? []));
        url = nextLink(linkHeader(res), url);
      }
      return tags;
    });
  }

  /** Repository names from `/v2/_catalog`, paginated. Many public registries refuse it. */
  async catalog(): Promise<string[]> {
    const endpoint = this.endpoints().at(-1)!;
    const repos: string[] = [];
    let url: string | undefined = `${endpoint}/v2/_catalog?n=1000`;
    while (url) {
      const res = await this.request(endpoint, url.slice(endpoint.length), '', 'catalog');
      await this.expectOk(res, this.domain, 'catalog');
      const body = JSON.parse(await res.text()) as { repositories?: string[] };
      repos.push(...(body.repositories ?? []));
      url = nextLink(linkHeader(res), url);
    }
    return repos;
  }

  // --- push ---------------------------------------------------------------------------------
  // Pushes always go to the registry itself, never to a mirror.

  private pushEndpoint(): string {
    return this.endpoints().at(-1)!;
  }

  /** HEAD of a blob in a repository: is it already there? */
  async blobExists(repo: string, digest: Digest): Promise<boolean> {
    const res = await this.request(this.pushEndpoint(), `/v2/${repo}/blobs/${digest}`, repo, 'push', { method: 'HEAD' });
    if (res.status === 200) {
      res.discard();
      return true;
    }
    if (res.status === 404) {
      res.discard();
      return false;
    }
    throw await this.pushFailure(res, `checking for blob ${digest} in ${this.domain}/${repo}`);
  }

  /**
   * Opens an upload session. With `mountFrom`, asks the registry to link the blob from another
   * of its repositories instead; when it cannot, it opens an ordinary session (202), which the
   * caller then uses for the upload.
   */
  async startUpload(repo: string, mountFrom?: { digest: Digest; repo: string }): Promise<UploadStart> {
    const query = mountFrom ? `?mount=${mountFrom.digest}&from=${encodeURIComponent(mountFrom.repo)}` : '';
    const res = await this.request(this.pushEndpoint(), `/v2/${repo}/blobs/uploads/${query}`, repo, 'push', {
      method: 'POST',
      extraScopes: mountFrom ? [`repository:${mountFrom.repo}:pull`] : [],
    });
    if (mountFrom && res.status === 201) {
      res.discard();
      return { mounted: true };
    }
    if (res.status === 202) {
      res.discard();
      return { mounted: false, location: uploadUrl(res.headers.location, res.url) };
    }
    throw await this.pushFailure(res, `starting an upload to ${this.domain}/${repo}`);
  }

  /** Sends one chunk (PATCH with Content-Range); returns where the session continues. */
  async uploadChunk(repo: string, location: string, data: Buffer, offset: number): Promise<string> {
    const res = await this.request(this.pushEndpoint(), location, repo, 'push', {
      method: 'PATCH',
      body: data,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': contentRange(offset, data.length) },
    });
    if (res.status !== 202) throw await this.pushFailure(res, `uploading bytes ${contentRange(offset, data.length)} to ${this.domain}/${repo}`);
    res.discard();
    const held = receivedBytes(res.headers.range);
    if (held !== undefined && held !== offset + data.length) {
      throw new RegistryError('unavailable', `registry ${this.domain} holds ${held} bytes of the upload after a chunk that should have brought it to ${offset + data.length}; push again`);
    }
    return uploadUrl(res.headers.location, res.url);
  }

  /** Closes a session with PUT ?digest= (carrying the whole blob for a monolithic upload). */
  async completeUpload(repo: string, location: string, digest: Digest, data?: Buffer): Promise<void> {
    const res = await this.request(this.pushEndpoint(), uploadUrl(location, location, { digest }), repo, 'push', {
      method: 'PUT',
      body: data ?? Buffer.alloc(0),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    if (res.status !== 201 && res.status !== 204) throw await this.pushFailure(res, `completing the upload of ${digest} to ${this.domain}/${repo}`);
    res.discard();
  }

  /** Abandons an upload session (best effort: registries purge stale ones anyway). */
  async cancelUpload(repo: string, location: string): Promise<void> {
    try {
      (await this.request(this.pushEndpoint(), location, repo, 'push', { method: 'DELETE' })).discard();
    } catch {
      // Nothing to undo on our side, and the registry expires the session by itself; the push
      // reports the failure that made it give up, not this one.
    }
  }

  /** PUT of a manifest under a tag (or digest); returns the digest the registry stored it as. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const res = await this.request(this.pushEndpoint(), `/v2/${repo}/manifests/${reference}`, repo, 'push', {
      method: 'PUT',
      body: bytes,
      headers: { 'Content-Type': mediaType },
    });
    if (res.status !== 201 && res.status !== 200) throw await this.pushFailure(res, `pushing the manifest of ${this.domain}/${repo}:${reference}`);
    res.discard();
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
    const stored = res.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored.startsWith('sha256:') && stored !== digest) {
      throw new RegistryError('unavailable', `registry ${this.domain} stored the manifest of ${repo}:${reference} as ${stored}, but its bytes hash to ${digest}`);
    }
    return digest;
  }

  /** A failed push request, as an error that says what was being done and what the registry said. */
  private async pushFailure(res: TransportResponse, doing: string): Promise<RegistryError> {
    const detail = describeErrorBody(await errorBodyText(res));
    const said = detail.message ? `: ${detail.code ? `${detail.code.toLowerCase().replace(/_/g, ' ')}: ` : ''}${detail.message}` : '';
    if (res.status === 404) {
      return new NotFoundError(`registry ${this.domain} answered 404 Not Found while ${doing}${said}; check the repository name`, detail.code);
    }
    const hint = res.status >= 500 ? '; the registry failed, try again later' : '';
    return statusError(`registry ${this.domain} answered ${res.status} ${res.statusText} while ${doing}${said}${hint}`, res.status, detail.code);
  }

  /** Checks credentials the way `docker login` does: /v2/ answered with them, no scope. */
  async checkLogin(creds: Credentials): Promise<void> {
    const endpoint = this.endpoints().at(-1)!;
    // Its own auth layer: the credentials under test, and no token cached from other requests.
    const login = new AuthTransport(this.transport, { domain: this.domain, credentials: async () => creds, now: this.options.now });
    const res = await login.send(`${endpoint}/v2/`);
    res.discard();
    if (res.status === 200) return;
    if (res.status === 401 || res.status === 403) {
      throw new UnauthorizedError(`login to ${this.domain} failed: unauthorized: incorrect username or password`, res.status, 'unauthorized');
    }
    throw statusError(`registry ${this.domain} answered ${res.status} ${res.statusText} to /v2/; is it a registry?`, res.status);
  }

  private async request(endpoint: string, pathOrUrl: string, repo: string, action: Action, init: RequestInit = {}): Promise<TransportResponse> {
    const scopes = [action === 'catalog' ? 'registry:catalog:*' : `repository:${repo}:${action === 'push' ? 'pull,push' : action}`, ...(init.extraScopes ?? [])];
    // Upload sessions hand out absolute Locations; everything else is a path under the endpoint.
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${endpoint}${pathOrUrl}`;
    const res = await this.auth.send(url, { method: init.method, body: init.body, headers: init.headers }, scopes);
    if (res.status === 401 || res.status === 403) {
      // The auth layer already answered the challenge: the registry refuses these credentials.
      const detail = describeErrorBody(await errorBodyText(res));
      throw accessDenied(this.domain, repo || undefined, action === 'push' ? 'push' : 'pull', detail.message, res.status);
    }
    return res;
  }

  private async credsFor(): Promise<Credentials | undefined> {
    return this.explicitCredentials ?? (await this.credentials.get(this.domain));
  }

  private async expectOk(res: TransportResponse, where: string, what: 'manifest' | 'blob' | 'repository' | 'catalog' | 'blob upload'): Promise<void> {
    if (res.status >= 200 && res.status < 300) return;
    const detail = describeErrorBody(await errorBodyText(res));
    if (res.status === 404) {
      const msg =
        what === 'manifest'
          ? `manifest for ${where} not found: manifest unknown; check the tag with \`tsdock tags ${where.replace(/[:@][^/]*$/, '')}\``
          : what === 'repository'
            ? `repository ${where} not found: it does not exist or may require \`tsdock login\``
            : `${what} ${where} not found on the registry`;
      throw new NotFoundError(msg, detail.code);
    }
    throw statusError(
      `registry ${this.domain} answered ${res.status} ${res.statusText} for ${what} ${where}${detail.message ? `: ${detail.message}` : ''}${res.status >= 500 ? '; the registry failed, try again later' : ''}`,
      res.status,
      detail.code,
    );
  }
}

/**
 * The body of an error answer, only to quote the registry's explanation: when the connection
 * breaks while reading it, the status alone still says what went wrong, so that error yields ''.
 */
async function errorBodyText(res: TransportResponse): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}

function linkHeader(res: TransportResponse): string | null {
  const v = res.headers.link;
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}
