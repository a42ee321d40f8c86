// Host ports for publishing: is ip:port free on the host, and a random free one. portmap only
// writes DNAT rules and holds no socket, so tsdock checks before it maps: by binding the
// address from Node (a host process or another runtime's proxy holds it), and against the
// ports other tsdock containers already publish (their rules hold no socket either).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { PortProtocol, PortRequest, PublishedPort } from './port-spec.js';

export class PortAllocatedError extends Error {}

/** Docker's message for a port taken on the host or by another container. */
export function portAllocatedMessage(hostIp: string, port: number | string): string {
  return `Bind for ${hostIp || '0.0.0.0'}:${port} failed: port is already allocated`;
}

/** Binds ip:port (0 = any) for a moment; resolves with the bound port, or the bind error's code. */
export function tryBind(hostIp: string, port: number, protocol: PortProtocol): Promise<{ port: number } | { error: string }> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const sock = createSocket('udp4');
      sock.once('error', (err: NodeJS.ErrnoException) => {
        sock.close();
        resolve({ error: err.code ?? err.message });
      });
      sock.bind({ address: host, port, exclusive: true }, () => {
        const bound = sock.address().port;
        sock.close(() => resolve({ port: bound }));
      });
      return;
    }
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      server.close(() => resolve({ port: bound }));
    });
  });
}

function overlaps(a: { hostIp: string; hostPort: number; protocol: string }, b: { hostIp: string; hostPort: number; protocol: string }): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === '' || b.hostIp === '' || a.hostIp === b.hostIp);
}

function bindError(hostIp: string, port: number, protocol: PortProtocol, code: string): Error {
  if (code === 'EADDRINUSE') return new PortAllocatedError(portAllocatedMessage(hostIp, port));
  if (code === 'EADDRNOTAVAIL') return new PortAllocatedError(`Error starting userland proxy: listen ${protocol}4 ${hostIp || '0.0.0.0'}:${port}: bind: cannot assign requested address`);
  if (code === 'EACCES') return new PortAllocatedError(`Error starting userland proxy: listen ${protocol}4 ${hostIp || '0.0.0.0'}:${port}: bind: permission denied`);
  return new PortAllocatedError(`cannot publish ${hostIp || '0.0.0.0'}:${port}/${protocol}: ${code}`);
}

/**
 * Turns requests into concrete mappings: fixed ports are checked, ranges give their first free
 * port, port 0 a random free one. `inUse` are the mappings of other tsdock containers.
 */
export async function allocateHostPorts(requests: PortRequest[], inUse: PublishedPort[]): Promise<PublishedPort[]> {
  const taken: PublishedPort[] = [...inUse];
  const out: PublishedPort[] = [];
  for (const r of requests) {
    let chosen: number | undefined;
    if (r.hostPort === 0) {
      for (let attempt = 0; attempt < 50 && chosen === undefined; attempt++) {
        const got = await tryBind(r.hostIp, 0, r.protocol);
        if ('error' in got) throw bindError(r.hostIp, 0, r.protocol, got.error);
        if (!taken.some((t) => overlaps(t, { hostIp: r.hostIp, hostPort: got.port, protocol: r.protocol }))) chosen = got.port;
      }
      if (chosen === undefined) throw new PortAllocatedError(`no free host port found for ${r.containerPort}/${r.protocol}`);
    } else {
      const end = Math.max(r.hostPortEnd, r.hostPort);
      let lastError: Error | undefined;
      for (let port = r.hostPort; port <= end && chosen === undefined; port++) {
        const candidate = { hostIp: r.hostIp, hostPort: port, protocol: r.protocol };
        if (taken.some((t) => overlaps(t, candidate))) {
          lastError = new PortAllocatedError(portAllocatedMessage(r.hostIp, port));
          continue;
        }
        const got = await tryBind(r.hostIp, port, r.protocol);
        if ('error' in got) lastError = bindError(r.hostIp, port, r.protocol, got.error);
        else chosen = port;
      }
      if (chosen === undefined) {
        throw end > r.hostPort ? new PortAllocatedError(portAllocatedMessage(r.hostIp, `${r.hostPort}-${end}`)) : lastError!;
      }
    }
    const mapping: PublishedPort = { hostIp: r.hostIp, hostPort: chosen, containerPort: r.containerPort, protocol: r.protocol };
    taken.push(mapping);
    out.push(mapping);
  }
  return out;
}
