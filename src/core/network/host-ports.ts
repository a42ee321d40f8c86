// Host ports for publishing: is ip:port free on the host, and a random free one. portmap only
// writes DNAT rules and holds no socket, so tsdock checks before it maps: by binding the
// address from Node (a host process or another runtime's proxy holds it), against the ports
// other tsdock containers of this store publish, and against the DNAT rules CNI portmap put in
// place for any store or runtime on the host (their rules hold no socket either).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { PortProtocol, PortRequest, PublishedPort } from './port-spec.js';
import { runCommand } from '../process/run-command.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class PortAllocatedError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

/** A host port something already maps: what allocation must not hand out again. */
export type HostPortInUse = Pick<PublishedPort, 'hostIp' | 'hostPort' | 'protocol'>;

/** A host port mapped by a CNI portmap DNAT rule, and the container (CNI ID) it belongs to, when known. */
export interface DnatHostPort extends HostPortInUse {
  containerId?: string;
}

/**
 * The host ports in CNI portmap's DNAT rules, from `iptables -t nat -S` output: the `-j DNAT`
 * rules of the per-container `CNI-DN-*` chains give protocol, port and host address (`-d`, none
 * for every address); the `CNI-HOSTPORT-DNAT` rules jumping to a chain name its container.
 */
export function parseCniDnatRules(rules: string): DnatHostPort[] {
  const owners = new Map<string, string>();
  const mapped: { chain: string; port: HostPortInUse }[] = [];
  for (const line of rules.split('\n')) {
    const chain = /^-A (\S+) /.exec(line)?.[1];
    if (chain === 'CNI-HOSTPORT-DNAT') {
      const target = /-j (CNI-DN-\S+)/.exec(line)?.[1];
      const id = /id: \\"([^"\\]+)\\"/.exec(line)?.[1];
      if (target && id) owners.set(target, id);
      continue;
    }
    if (!chain?.startsWith('CNI-DN-') || !/ -j DNAT /.test(line)) continue;
    const hostPort = Number(/--dport (\d+)/.exec(line)?.[1]);
    const protocol = /-p (tcp|udp) /.exec(line)?.[1] as PortProtocol | undefined;
    if (!hostPort || !protocol) continue;
    const dest = / -d (\d+\.\d+\.\d+\.\d+)\/32 /.exec(line)?.[1];
    mapped.push({ chain, port: { hostIp: dest && dest !== '0.0.0.0' ? dest : '', hostPort, protocol } });
  }
  return mapped.map(({ chain, port }) => {
    const containerId = owners.get(chain);
    return containerId ? { ...port, containerId } : port;
  });
}

/** The host ports CNI portmap maps right now, for every store and runtime on the host. */
export async function cniDnatHostPorts(): Promise<DnatHostPort[]> {
  let rules: string;
  try {
    rules = await runCommand('iptables', ['-w', '-t', 'nat', '-S']);
  } catch (err) {
    throw new PortAllocatedError(`cannot check which host ports are already published (iptables -t nat -S): ${(err as Error).message}`, 'internal');
  }
  return parseCniDnatRules(rules);
}

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
 * port, port 0 a random free one. `inUse` are the mappings of other containers (this store's, and DNAT rules of any).
 */
export async function allocateHostPorts(requests: PortRequest[], inUse: HostPortInUse[]): Promise<PublishedPort[]> {
  const taken: HostPortInUse[] = [...inUse];
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
