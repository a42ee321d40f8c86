import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { TsdockError } from '../errors.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

export interface HttpResponse extends TransportResponse {
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

export type HttpRequest = TransportRequest;

/** The registry could not be reached, or stopped answering (refused, reset, timed out). */
export class NetworkError extends TsdockError {
  constructor(url: string, cause: Error) {
    super('unavailable', `cannot reach ${new URL(url).host}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}; check the address and that the registry is running`, { cause });
  }
}

/** The connection broke while a body was being read (a truncated answer). */
export class ConnectionLostError extends TsdockError {
  constructor(url: string, cause: Error) {
    super('unavailable', `the connection to ${new URL(url).host} broke before the whole answer arrived (${(cause as NodeJS.ErrnoException).code ?? cause.message}); try again`, { cause });
  }
}

// Keep-alive agents: a pull makes many requests to one host, and parallel layer downloads
// each get their own socket.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let httpsAgent: https.Agent | undefined;

function agentFor(protocol: string): http.Agent {
  if (protocol !== 'https:') return httpAgent;
  return (httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 16, ...extraCertificates() }));
}

/**
 * Extra trusted CAs: bin/tsdock hands NODE_EXTRA_CA_CERTS on as TSDOCK_EXTRA_CA_CERTS so that
 * Node does not parse them at every start; they are added to Node's roots here, for the first
 * TLS connection, as Node would have added them.
 */
function extraCertificates(): { ca?: string[] } {
  const path = process.env.TSDOCK_EXTRA_CA_CERTS || process.env.NODE_EXTRA_CA_CERTS;
  if (!path) return {};
  try {
    return { ca: [...tls.rootCertificates, readFileSync(path, 'utf8')] };
  } catch (err) {
    process.emitWarning(`Ignoring extra certs from \`${path}\`, load failed: ${(err as Error).message}`);
    return {};
  }
}

/**
 * Node's http client rather than fetch(): layer bodies stay Node streams end to end (no
 * web-stream conversion on the hot path), and agents are ours to tune.
 */
export async function httpRequest(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
  let current = url;
  let headers = { ...req.headers };
  for (let hops = req.maxRedirects ?? 5; ; hops--) {
    const res = await once(current, { ...req, headers });
    const location = res.headers.location;
    const method = req.method ?? 'GET';
    if ([301, 302, 303, 307, 308].includes(res.status) && location && hops > 0 && (method === 'GET' || method === 'HEAD')) {
      res.discard();
      const next = new URL(location, current);
      if (next.host !== new URL(current).host) {
        const { authorization: _drop, Authorization: _drop2, ...rest } = headers;
        headers = rest;
      }
      current = next.toString();
      continue;
    }
    return res;
  }
}

/** The real transport: HTTP(S) over Node's agents, with the TLS rules above. */
export const httpTransport: Transport = { send: httpRequest };

function once(url: string, req: HttpRequest): Promise<HttpResponse> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      u,
      {
        method: req.method ?? 'GET',
        headers: req.headers,
        agent: agentFor(u.protocol),
        timeout: req.timeoutMs ?? 30_000,
      },
      (res) => {
        // The socket timeout only guards the wait for headers; bodies may legitimately be slow.
        r.setTimeout(0);
        resolve(wrap(url, res));
      },
    );
    r.on('timeout', () => r.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    r.on('error', (err) => reject(new NetworkError(url, err)));
    r.end(req.body);
  });
}

function wrap(url: string, res: IncomingMessage): HttpResponse {
  const bytes = async () => {
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (err) {
      throw new ConnectionLostError(url, err as Error);
    }
    return Buffer.concat(chunks);
  };
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headers: res.headers,
    url,
    body: res,
    bytes,
    text: async () => (await bytes()).toString('utf8'),
    discard: () => {
      res.resume();
    },
  };
}
