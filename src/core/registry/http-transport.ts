import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  url: string;
  /** The body as a Node stream; read it, or call discard(). */
  body: IncomingMessage;
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
  discard(): void;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Redirects are followed for GET/HEAD, without the Authorization header when the host changes. */
  maxRedirects?: number;
  timeoutMs?: number;
}

export class NetworkError extends Error {
  constructor(url: string, cause: Error) {
    super(`cannot reach ${new URL(url).host}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}; check the address and that the registry is running`);
  }
}

// Keep-alive agents: a pull makes many requests to one host, and parallel layer downloads
// each get their own socket.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

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

function once(url: string, req: HttpRequest): Promise<HttpResponse> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      u,
      {
        method: req.method ?? 'GET',
        headers: req.headers,
        agent: agents[u.protocol as 'http:' | 'https:'],
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
    for await (const c of res) chunks.push(c as Buffer);
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
