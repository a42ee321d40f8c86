// A small OCI distribution server held in memory, for fast unit tests of the registry client
// (go-containerregistry's registry.New() served by httptest is the model). It speaks plain HTTP on
// 127.0.0.1 with its own code, independent of tsdock's client: /v2/, manifests and blobs by tag
// and digest, chunked, monolithic and mounted uploads, paginated tags/list and _catalog, Bearer
// tokens from its own token endpoint or Basic auth, and faults injected on request.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export type RegistryAuth =
  /** Tokens from GET /token: users get what they ask for; anonymous callers get pull (or nothing). */
  | { scheme: 'bearer'; users: Record<string, string>; anonymous?: 'pull' | 'none'; tokenSeconds?: number }
  /** htpasswd-style: every /v2/ request needs a valid user. */
  | { scheme: 'basic'; users: Record<string, string> };

export interface MemoryRegistryOptions {
  auth?: RegistryAuth;
  /** The largest page tags/list and _catalog answer, whatever `n` asks for. */
  maxPageSize?: number;
  /** Clock in milliseconds: a test shares it with the client to let tokens expire without waiting. */
  now?: () => number;
}

export type Fault =
  | { kind: 'status'; status: number; code?: string; message?: string }
  /** Sends half of the body under the full Content-Length, then cuts the connection. */
  | { kind: 'truncate' }
  /** Sends the body with one byte changed: same length, another digest. */
  | { kind: 'corrupt' }
  /** Never answers (until the registry closes): a client's timeout has to end the wait. */
  | { kind: 'hang' };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests it hits (default: all). */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  authorization?: string;
  contentRange?: string;
}

export interface LoggedTokenRequest {
  account?: string;
  scopes: string[];
  service?: string;
  status: number;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface Repository {
  blobs: Set<string>;
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

interface UploadSession {
  repo: string;
  chunks: Buffer[];
  size: number;
  /** Opaque state the client must send back unchanged, rotated at every step. */
  state: string;
}

interface IssuedToken {
  access: Set<string>;
  expiresAt: number;
}

/** Who a request authenticated as, and what it may do. */
interface Caller {
  may(scope: string): boolean;
  /** Set when the caller presented a token that does not allow what it asked. */
  insufficient?: boolean;
}

const SERVICE = 'memory-registry';
const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const ROUTE_RE = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|tags\/list)(?:\/(.*))?$/;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class MemoryRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly repositories = new Map<string, Repository>();
  readonly requests: LoggedRequest[] = [];
  readonly tokenRequests: LoggedTokenRequest[] = [];
  private readonly uploads = new Map<string, UploadSession>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults: FaultRule[] = [];
  private readonly now: () => number;

  private constructor(
    private readonly server: Server,
    private readonly options: MemoryRegistryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  static async start(options: MemoryRegistryOptions = {}): Promise<MemoryRegistry> {
    const server = createServer();
    const registry = new MemoryRegistry(server, options);
    server.on('request', (req, res) => void registry.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return registry;
  }

  /** host:port, the registry's domain as tsdock names it. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  // --- seeding and inspection (no HTTP) --------------------------------------------------------

  putBlob(repo: string, bytes: Buffer): string {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    this.repository(repo).blobs.add(digest);
    return digest;
  }

  putManifest(repo: string, reference: string, bytes: Buffer, mediaType = 'application/vnd.oci.image.manifest.v1+json'): string {
    const digest = sha256(bytes);
    const r = this.repository(repo);
    r.manifests.set(digest, { bytes, mediaType });
    if (!DIGEST_RE.test(reference)) r.tags.set(reference, digest);
    return digest;
  }

  /** An OCI image of the given layer blobs (their bytes as given) and a small config, under `tag`. */
  putImage(repo: string, tag: string, layers: Buffer[]): { manifestDigest: string; configDigest: string; layerDigests: string[]; manifest: Buffer } {
    const layerDescs = layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: this.putBlob(repo, l), size: l.length }));
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layerDescs.map((d) => d.digest) } }));
    const configDigest = this.putBlob(repo, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: layerDescs,
      }),
    );
    return { manifestDigest: this.putManifest(repo, tag, manifest), configDigest, layerDigests: layerDescs.map((d) => d.digest), manifest };
  }

  /** The bytes of a blob as linked into `repo`, or undefined. */
  blob(repo: string, digest: string): Buffer | undefined {
    return this.repositories.get(repo)?.blobs.has(digest) ? this.blobs.get(digest) : undefined;
  }

  manifest(repo: string, reference: string): StoredManifest | undefined {
    const r = this.repositories.get(repo);
    const digest = r?.tags.get(reference) ?? reference;
    return r?.manifests.get(digest);
  }

  inject(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  /** Forgets every token it issued, as a token server whose keys rotated would. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Sessions still open (neither completed nor cancelled). */
  get openUploads(): number {
    return this.uploads.size;
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    res.on('finish', () =>
      this.requests.push({
        method,
        path: url.pathname + url.search,
        status: res.statusCode,
        ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
        ...(req.headers['content-range'] !== undefined && { contentRange: req.headers['content-range'] }),
      }),
    );
    try {
      const body = await readBody(req);
      if (url.pathname === '/token') return this.token(url, req, res);
      if (!url.pathname.startsWith('/v2/')) throw new HttpFailure(404, 'NOT_FOUND', 'not a registry path');
      const caller = this.authenticate(req);
      const scope = requiredScope(method, url);
      if (!caller.may(scope)) throw this.challenge(scope, caller);
      const fault = this.takeFault(method, url.pathname);
      if (fault?.kind === 'status') throw new HttpFailure(fault.status, fault.code ?? 'UNKNOWN', fault.message ?? 'injected failure');
      if (fault?.kind === 'hang') return;
      await this.route(method, url, req, body, res, caller, fault);
    } catch (err) {
      const f = err instanceof HttpFailure ? err : new HttpFailure(500, 'UNKNOWN', (err as Error).message);
      const text = JSON.stringify({ errors: [{ code: f.code, message: f.message, detail: null }] });
      res.writeHead(f.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...f.headers });
      res.end(method === 'HEAD' ? undefined : text);
    }
  }

  private async route(method: string, url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse, caller: Caller, fault?: Fault): Promise<void> {
    if (url.pathname === '/v2/') return send(res, 200, {}, method === 'HEAD' ? undefined : Buffer.from('{}'));
    if (url.pathname === '/v2/_catalog') {
      const names = [...this.repositories.entries()].filter(([, r]) => r.manifests.size > 0).map(([n]) => n);
      return this.page(res, url, '/v2/_catalog', names, (items) => ({ repositories: items }));
    }
    const m = ROUTE_RE.exec(url.pathname);
    if (!m) throw new HttpFailure(404, 'NOT_FOUND', `no route for ${url.pathname}`);
    const [, name, kind, rest = ''] = m as unknown as [string, string, string, string | undefined];
    if (!NAME_RE.test(name)) throw new HttpFailure(400, 'NAME_INVALID', `invalid repository name ${name}`);
    switch (kind) {
      case 'tags/list': {
        const r = this.repositories.get(name);
        if (!r || r.manifests.size === 0) throw new HttpFailure(404, 'NAME_UNKNOWN', 'repository name not known to registry');
        return this.page(res, url, `/v2/${name}/tags/list`, [...r.tags.keys()], (items) => ({ name, tags: items }));
      }
      case 'manifests':
        if (method === 'PUT') return this.putManifestRequest(res, name, rest, body, String(req.headers['content-type'] ?? ''));
        return this.getManifest(res, method, name, rest, fault);
      case 'blobs':
        return this.getBlob(res, method, name, rest, fault);
      default:
        return this.upload(res, method, url, name, rest, body, caller, String(req.headers['content-range'] ?? ''));
    }
  }

  private getManifest(res: ServerResponse, method: string, name: string, reference: string, fault?: Fault): void {
    const r = this.repositories.get(name);
    const digest = DIGEST_RE.test(reference) ? reference : r?.tags.get(reference);
    const stored = digest ? r?.manifests.get(digest) : undefined;
    if (!stored || !digest) throw new HttpFailure(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    const headers = { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': digest };
    send(res, 200, headers, method === 'HEAD' ? undefined : stored.bytes, fault, stored.bytes.length);
  }

  private putManifestRequest(res: ServerResponse, name: string, reference: string, body: Buffer, contentType: string): void {
    const digest = sha256(body);
    if (DIGEST_RE.test(reference) && reference !== digest) throw new HttpFailure(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    let doc: { config?: { digest?: string }; layers?: { digest?: string }[]; manifests?: { digest?: string }[] };
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpFailure(400, 'MANIFEST_INVALID', 'manifest invalid');
    }
    const r = this.repository(name);
    for (const d of [doc.config, ...(doc.layers ?? [])]) {
      if (d?.digest && !r.blobs.has(d.digest)) throw new HttpFailure(400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${d.digest}`);
    }
    for (const d of doc.manifests ?? []) {
      if (d.digest && !r.manifests.has(d.digest)) throw new HttpFailure(400, 'MANIFEST_UNKNOWN', `manifest unknown: ${d.digest}`);
    }
    this.putManifest(name, reference, body, contentType.split(';')[0]!.trim() || 'application/vnd.oci.image.manifest.v1+json');
    send(res, 201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest });
  }

  private getBlob(res: ServerResponse, method: string, name: string, digest: string, fault?: Fault): void {
    if (!DIGEST_RE.test(digest)) throw new HttpFailure(400, 'DIGEST_INVALID', 'invalid digest');
    const bytes = this.blob(name, digest);
    if (!bytes) throw new HttpFailure(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const headers = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest };
    send(res, 200, headers, method === 'HEAD' ? undefined : bytes, fault, bytes.length);
  }

  private upload(res: ServerResponse, method: string, url: URL, name: string, id: string, body: Buffer, caller: Caller, contentRange: string): void {
    if (method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      // A mount the caller may read from, of a blob the source has, links it; else a session opens.
      if (mount && from && this.repositories.get(from)?.blobs.has(mount) && caller.may(`repository:${from}:pull`)) {
        this.repository(name).blobs.add(mount);
        return send(res, 201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount });
      }
      const digest = url.searchParams.get('digest');
      if (digest) return this.commit(res, name, digest, body);
      const session: UploadSession = { repo: name, chunks: [], size: 0, state: randomBytes(8).toString('hex') };
      const uuid = randomBytes(16).toString('hex');
      this.uploads.set(uuid, session);
      return send(res, 202, this.sessionHeaders(name, uuid, session));
    }
    const session = this.uploads.get(id);
    if (!session || session.repo !== name) throw new HttpFailure(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    if (url.searchParams.get('_state') !== session.state) throw new HttpFailure(400, 'BLOB_UPLOAD_INVALID', 'upload state lost: the Location was not followed');
    if (method === 'DELETE') {
      this.uploads.delete(id);
      return send(res, 204, {});
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (method === 'PATCH' && contentRange) {
        const m = /^(\d+)-(\d+)$/.exec(contentRange);
        if (!m || Number(m[1]) !== session.size || Number(m[2]) - Number(m[1]) + 1 !== body.length) {
          throw new HttpFailure(416, 'BLOB_UPLOAD_INVALID', `range ${contentRange} does not continue the ${session.size} bytes held`);
        }
      }
      if (body.length) {
        session.chunks.push(body);
        session.size += body.length;
      }
      if (method === 'PATCH') {
        session.state = randomBytes(8).toString('hex');
        return send(res, 202, this.sessionHeaders(name, id, session));
      }
      const digest = url.searchParams.get('digest');
      if (!digest) throw new HttpFailure(400, 'DIGEST_INVALID', 'digest missing');
      this.uploads.delete(id);
      return this.commit(res, name, digest, Buffer.concat(session.chunks));
    }
    throw new HttpFailure(405, 'UNSUPPORTED', `${method} is not supported on an upload`);
  }

  private commit(res: ServerResponse, name: string, digest: string, bytes: Buffer): void {
    if (sha256(bytes) !== digest) throw new HttpFailure(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    this.putBlob(name, bytes);
    send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
  }

  private sessionHeaders(name: string, uuid: string, session: UploadSession): Record<string, string> {
    return {
      // Relative, with opaque state, as distribution answers.
      Location: `/v2/${name}/blobs/uploads/${uuid}?_state=${session.state}`,
      Range: `0-${Math.max(0, session.size - 1)}`,
      'Docker-Upload-UUID': uuid,
    };
  }

  /** A page of `items` (sorted) after `last`, at most `n`, with a Link to the next one. */
  private page(res: ServerResponse, url: URL, path: string, items: string[], shape: (items: string[]) => object): void {
    const last = url.searchParams.get('last');
    const asked = url.searchParams.has('n') ? Number(url.searchParams.get('n')) : Infinity;
    const n = Math.min(asked, this.options.maxPageSize ?? Infinity);
    const after = items.sort().filter((i) => last === null || i > last);
    const page = after.slice(0, n);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (after.length > page.length) headers.Link = `<${path}?last=${encodeURIComponent(page.at(-1)!)}&n=${n}>; rel="next"`;
    send(res, 200, headers, Buffer.from(JSON.stringify(shape(page))));
  }

  // --- auth ------------------------------------------------------------------------------------

  private authenticate(req: IncomingMessage): Caller {
    const auth = this.options.auth;
    if (!auth) return { may: () => true };
    const header = req.headers.authorization ?? '';
    if (auth.scheme === 'basic') {
      const ok = header.startsWith('Basic ') && this.validUser(Buffer.from(header.slice(6), 'base64').toString('utf8')) !== undefined;
      return { may: () => ok };
    }
    if (!header.startsWith('Bearer ')) return { may: () => false };
    const token = this.tokens.get(header.slice(7));
    if (!token || token.expiresAt <= this.now()) return { may: () => false };
    return { may: (scope) => scope === '' || token.access.has(scope), insufficient: true };
  }

  /** The 401 that tells a client how to authenticate for `scope`. */
  private challenge(scope: string, caller: Caller): HttpFailure {
    const auth = this.options.auth!;
    const header =
      auth.scheme === 'basic'
        ? `Basic realm="${SERVICE}"`
        : `Bearer realm="${this.url}/token",service="${SERVICE}"${scope ? `,scope="${scope}"` : ''}${caller.insufficient ? ',error="insufficient_scope"' : ''}`;
    return new HttpFailure(401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': header });
  }

  private token(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const auth = this.options.auth;
    if (auth?.scheme !== 'bearer') throw new HttpFailure(404, 'NOT_FOUND', 'no token service');
    const scopes = url.searchParams.getAll('scope');
    const header = req.headers.authorization ?? '';
    const account = header.startsWith('Basic ') ? this.validUser(Buffer.from(header.slice(6), 'base64').toString('utf8')) : undefined;
    const log = (status: number) =>
      this.tokenRequests.push({ scopes, status, ...(account !== undefined && { account }), ...(url.searchParams.has('service') && { service: url.searchParams.get('service')! }) });
    if (header && account === undefined) {
      log(401);
      throw new HttpFailure(401, 'UNAUTHORIZED', 'invalid username or password');
    }
    const access = new Set<string>();
    for (const scope of scopes) {
      const first = scope.indexOf(':');
      const lastColon = scope.lastIndexOf(':');
      const prefix = scope.slice(0, lastColon);
      for (const action of scope.slice(lastColon + 1).split(',')) {
        const granted = account !== undefined || (auth.anonymous === 'pull' && action === 'pull' && scope.slice(0, first) === 'repository');
        if (granted) access.add(`${prefix}:${action}`);
      }
    }
    const seconds = auth.tokenSeconds ?? 300;
    const value = randomBytes(16).toString('hex');
    this.tokens.set(value, { access, expiresAt: this.now() + seconds * 1000 });
    log(200);
    send(res, 200, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify({ token: value, expires_in: seconds, issued_at: new Date(this.now()).toISOString() })));
  }

  private validUser(userPass: string): string | undefined {
    const auth = this.options.auth!;
    const i = userPass.indexOf(':');
    const [user, pass] = [userPass.slice(0, i), userPass.slice(i + 1)];
    return i > 0 && auth.users[user] === pass ? user : undefined;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (f.method === undefined || f.method === method) && f.path.test(path));
    if (i < 0) return undefined;
    const rule = this.faults[i]!;
    if (rule.times !== undefined && --rule.times <= 0) this.faults.splice(i, 1);
    return rule.fault;
  }

  /** The repository of that name, made empty when new. */
  private repository(name: string): Repository {
    let r = this.repositories.get(name);
    if (!r) this.repositories.set(name, (r = { blobs: new Set(), manifests: new Map(), tags: new Map() }));
    return r;
  }
}

/**
 * The scope a request needs ('' for /v2/ itself, which any authenticated caller may see):
 * reads pull, writes push, the catalog its registry-wide scope.
 */
function requiredScope(method: string, url: URL): string {
  if (url.pathname === '/v2/') return '';
  if (url.pathname === '/v2/_catalog') return 'registry:catalog:*';
  const name = ROUTE_RE.exec(url.pathname)?.[1] ?? '';
  return `repository:${name}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'push'}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Writes an answer, applying a body fault: truncation cuts the connection mid-body. */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer, fault?: Fault, length = body?.length ?? 0): void {
  res.writeHead(status, { 'Content-Length': String(length), ...headers });
  if (body === undefined) return void res.end();
  if (fault?.kind === 'truncate') {
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  if (fault?.kind === 'corrupt' && body.length > 0) {
    const copy = Buffer.from(body);
    copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
    return void res.end(copy);
  }
  res.end(body);
}
