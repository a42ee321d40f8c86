import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** One HTTP request as the registry client makes it. */
export interface TransportRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Redirects are followed for GET/HEAD, without the Authorization header when the host changes. */
  maxRedirects?: number;
  timeoutMs?: number;
}

/** An answer: status and headers at once, the body as a stream to read or discard. */
export interface TransportResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects): relative Locations resolve against it. */
  url: string;
  /** The body as a Node stream; read it, or call discard(). */
  body: Readable;
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
  discard(): void;
}

/**
 * Sends requests and hands back answers, whatever the status: deciding what a 401 or a 404
 * means is the caller's job. The real one speaks HTTP(S) (http-transport.ts); the
 * authenticating one (auth-transport.ts) wraps any other.
 */
export interface Transport {
  send(url: string, req?: TransportRequest): Promise<TransportResponse>;
}
