import type { Transport, TransportRequest, TransportResponse } from './transport.js';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';
import { accessDenied, RegistryError, statusError, UnauthorizedError } from './registry-errors.js';
import type { Credentials } from './credentials.js';

export interface AuthTransportOptions {
  /** The registry's domain, as the user wrote it: messages name it and `tsdock login` takes it. */
  domain: string;
  /** The credentials to answer challenges with; asked once, when a challenge first needs them. */
  credentials: () => Promise<Credentials | undefined>;
  /** Milliseconds since the epoch; tests pass their own clock to let tokens expire. */
  now?: () => number;
}

/** How an origin asked to be authenticated, remembered so later requests authenticate up front. */
type KnownChallenge = { scheme: 'bearer'; realm: string; service?: string } | { scheme: 'basic' };

interface Token {
  value: string;
  /** When to stop sending it (a little before the token server's expiry). */
  refreshAt: number;
}

/** Token lifetime when the token server does not say (the token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Wraps a transport with the registry auth flow (distribution's token spec and Basic): a 401
 * is answered with a token for the request's scopes (or Basic credentials) and the request is
 * sent once more. Tokens are cached per realm, service and scopes until shortly before they
 * expire; once an origin has challenged, later requests carry their authorization from the
 * start, so many blob requests cost one token request and no further 401s.
 */
export class AuthTransport implements Transport {
  private readonly challenges = new Map<string, KnownChallenge>();
  private readonly tokens = new Map<string, Token>();
  /** Token requests in flight, shared by parallel requests that need the same token. */
  private readonly fetching = new Map<string, Promise<Token>>();
  private credentialsLookup?: Promise<Credentials | undefined>;
  private readonly now: () => number;

  constructor(
    private readonly inner: Transport,
    private readonly options: AuthTransportOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends a request with the authorization `scopes` need (`repository:NAME:pull,push`,
   * `registry:catalog:*`; none for /v2/). The answer is handed back whatever its status: a 401
   * or 403 here means the registry refused even the credentials there were.
   */
  async send(url: string, req: TransportRequest = {}, scopes: readonly string[] = []): Promise<TransportResponse> {
    const origin = new URL(url).origin;
    const known = this.challenges.get(origin);
    const sent = known ? await this.authorization(known, scopes, { refresh: false }) : undefined;
    const res = await this.inner.send(url, withAuthorization(req, sent));
    if (res.status !== 401) return res;
    res.discard();
    const challenge = this.readChallenge(res, url);
    this.challenges.set(origin, challenge);
    // A token that was sent and refused (revoked, expired early) is not asked for again from the cache.
    const authorization = await this.authorization(challenge, scopes, { refresh: sent !== undefined });
    if (authorization === undefined) throw accessDenied(this.options.domain, scopeSubject(scopes), scopeAction(scopes));
    return this.inner.send(url, withAuthorization(req, authorization));
  }

  /** The Authorization value for a request under `challenge`, or undefined when there is none to give. */
  private async authorization(challenge: KnownChallenge, scopes: readonly string[], opts: { refresh: boolean }): Promise<string | undefined> {
    if (challenge.scheme === 'basic') {
      const creds = await this.credentials();
      return creds && `Basic ${basic(creds)}`;
    }
    const key = [challenge.realm, challenge.service ?? '', ...scopes].join(' ');
    const cached = this.tokens.get(key);
    if (cached && !opts.refresh && cached.refreshAt > this.now()) return `Bearer ${cached.value}`;
    if (opts.refresh) this.tokens.delete(key);
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetchToken(challenge, scopes).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return `Bearer ${token.value}`;
  }

  private readChallenge(res: TransportResponse, url: string): KnownChallenge {
    const header = res.headers['www-authenticate'];
    const challenges: AuthChallenge[] = parseWwwAuthenticate(String(header ?? ''));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const realm = bearer.params.realm;
      if (!realm) throw new RegistryError('unavailable', `registry ${this.options.domain} sent a Bearer challenge without a realm`);
      return { scheme: 'bearer', realm, ...(bearer.params.service !== undefined && { service: bearer.params.service }) };
    }
    if (challenges.some((c) => c.scheme === 'basic')) return { scheme: 'basic' };
    throw new RegistryError(
      'not-implemented',
      `registry ${this.options.domain} (${new URL(url).origin}) asked for authentication with an unsupported scheme: ${header ?? 'none given'}`,
      { status: 401 },
    );
  }

  private async fetchToken(challenge: Extract<KnownChallenge, { scheme: 'bearer' }>, scopes: readonly string[]): Promise<Token> {
    const { domain } = this.options;
    const creds = await this.credentials();
    const url = new URL(challenge.realm);
    if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
    // One `scope` parameter per scope, as Docker sends them.
    for (const s of scopes) url.searchParams.append('scope', s);
    if (creds) url.searchParams.set('account', creds.username);
    const askedAt = this.now();
    const res = await this.inner.send(url.toString(), { headers: creds ? { Authorization: `Basic ${basic(creds)}` } : {} });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      // The token server judges the credentials themselves: refused ones are unauthorized, whatever the status.
      throw new UnauthorizedError(
        creds
          ? `unauthorized: the token server for ${domain} refused the stored credentials of "${creds.username}"; run \`tsdock login ${domain}\` again`
          : `unauthorized: authentication required by ${domain}; run \`tsdock login ${domain}\``,
        res.status,
        'unauthorized',
      );
    }
    if (res.status !== 200) throw statusError(`token server ${url.host} answered ${res.status} ${res.statusText}`, res.status);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RegistryError('unavailable', `token server ${url.host} answered with something that is not JSON`, { status: res.status });
    }
    const value = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof value !== 'string' || !value) throw new RegistryError('unavailable', `token server ${url.host} answered without a token`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Stop using it a little early, so a token is not sent just as it expires.
    const lifetime = seconds * 1000;
    return { value, refreshAt: askedAt + lifetime - Math.min(10_000, lifetime / 10) };
  }

  private credentials(): Promise<Credentials | undefined> {
    return (this.credentialsLookup ??= this.options.credentials());
  }
}

function withAuthorization(req: TransportRequest, authorization: string | undefined): TransportRequest {
  return authorization ? { ...req, headers: { ...req.headers, Authorization: authorization } } : req;
}

function basic(creds: Credentials): string {
  return Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
}

/** The repository the first scope names (`repository:NAME:ACTIONS`); undefined for registry-wide ones. */
export function scopeSubject(scopes: readonly string[]): string | undefined {
  const first = scopes[0];
  if (!first?.startsWith('repository:')) return undefined;
  return first.slice('repository:'.length, first.lastIndexOf(':'));
}

/** Whether the first scope asks to push. */
export function scopeAction(scopes: readonly string[]): 'pull' | 'push' {
  const first = scopes[0] ?? '';
  return first.slice(first.lastIndexOf(':') + 1).split(',').includes('push') ? 'push' : 'pull';
}
