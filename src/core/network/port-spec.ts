// Port publishing as Docker spells it: `-p [ip:][hostPort[-end]:]containerPort[-end][/proto]`,
// `-P` (every exposed port to a random host port), and the two ways ports are shown: the PORTS
// column of `ps` (Docker's grouping of consecutive ports) and `tsdock port`. Pure.
import { isIpv4 } from './cidr.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export type PortProtocol = 'tcp' | 'udp';

/** One requested mapping; hostPort 0 asks for a random free port. */
export interface PortRequest {
  /** '' = every host address (0.0.0.0). */
  hostIp: string;
  hostPort: number;
  /** Docker's `-p 8000-8010:80`: any free port of the range; equal to hostPort otherwise. */
  hostPortEnd: number;
  containerPort: number;
  protocol: PortProtocol;
}

/** A mapping as it is in place for a running container. */
export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

export class PortSpecError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const PROTOCOLS = ['tcp', 'udp'];

function parsePortNumber(text: string, what: string, spec: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new PortSpecError(`invalid ${what}: ${text || spec}`);
  return n;
}

function parseRange(text: string, what: string, spec: string): [number, number] {
  const m = /^([^-]*)(?:-(.*))?$/.exec(text)!;
  const start = parsePortNumber(m[1]!, what, spec);
  const end = m[2] === undefined ? start : parsePortNumber(m[2], what, spec);
  if (end < start) throw new PortSpecError(`invalid port range: ${text}`);
  return [start, end];
}

function parseProtocol(text: string | undefined, spec: string): PortProtocol {
  const proto = (text ?? 'tcp').toLowerCase();
  if (proto === 'sctp') throw new PortSpecError(`invalid proto: sctp (tsdock publishes tcp and udp ports)`);
  if (!PROTOCOLS.includes(proto)) throw new PortSpecError(`invalid proto: ${text} in ${spec}`);
  return proto as PortProtocol;
}

/** Parses one `-p` value into its mappings (a range gives one per port). */
export function parsePublish(spec: string): PortRequest[] {
  const slash = spec.lastIndexOf('/');
  const [body, protoText] = slash >= 0 ? [spec.slice(0, slash), spec.slice(slash + 1)] : [spec, undefined];
  const protocol = parseProtocol(protoText, spec);
  let hostIp = '';
  let rest = body;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new PortSpecError(`invalid IP address: ${rest}`);
    throw new PortSpecError(`invalid IP address ${rest.slice(1, close)}: tsdock publishes on IPv4 addresses only`);
  }
  const parts = rest.split(':');
  let hostText = '';
  let containerText: string;
  if (parts.length === 1) containerText = parts[0]!;
  else if (parts.length === 2) [hostText, containerText] = parts as [string, string];
  else if (parts.length === 3) [hostIp, hostText, containerText] = parts as [string, string, string];
  else throw new PortSpecError(`invalid port format: ${spec} (IPv6 host addresses are not supported)`);
  if (containerText === '') throw new PortSpecError(`no port specified: ${spec}<empty>`);
  if (hostIp !== '' && !isIpv4(hostIp)) throw new PortSpecError(`invalid IP address: ${hostIp}`);
  if (hostIp === '0.0.0.0') hostIp = '';
  const [cStart, cEnd] = parseRange(containerText, 'containerPort', spec);
  const out: PortRequest[] = [];
  if (hostText === '') {
    for (let p = cStart; p <= cEnd; p++) out.push({ hostIp, hostPort: 0, hostPortEnd: 0, containerPort: p, protocol });
    return out;
  }
  const [hStart, hEnd] = parseRange(hostText, 'hostPort', spec);
  const cCount = cEnd - cStart + 1;
  const hCount = hEnd - hStart + 1;
  if (cCount === 1 && hCount > 1) return [{ hostIp, hostPort: hStart, hostPortEnd: hEnd, containerPort: cStart, protocol }];
  if (cCount !== hCount) throw new PortSpecError(`invalid ranges specified for container and host Ports: ${containerText} and ${hostText}`);
  for (let i = 0; i < cCount; i++) out.push({ hostIp, hostPort: hStart + i, hostPortEnd: hStart + i, containerPort: cStart + i, protocol });
  return out;
}

/** `80`, `80/udp`, `8000-8002/tcp` (from --expose or the image's ExposedPorts) -> keys like "80/tcp". */
export function parseExposed(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const [body, protoText] = slash >= 0 ? [spec.slice(0, slash), spec.slice(slash + 1)] : [spec, undefined];
  const protocol = parseProtocol(protoText, spec);
  const [start, end] = parseRange(body, 'port', spec);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(portKey(p, protocol));
  return out;
}

export function portKey(port: number, protocol: PortProtocol): string {
  return `${port}/${protocol}`;
}

export function splitPortKey(key: string): { port: number; protocol: PortProtocol } {
  const [port, proto] = key.split('/');
  return { port: Number(port), protocol: (proto ?? 'tcp') as PortProtocol };
}

/** `-P`: every exposed port not published by -p goes to a random port on all addresses. */
export function publishAllRequests(exposed: string[], requested: PortRequest[]): PortRequest[] {
  const taken = new Set(requested.map((r) => portKey(r.containerPort, r.protocol)));
  return exposed
    .filter((k) => !taken.has(k))
    .map((k) => {
      const { port, protocol } = splitPortKey(k);
      return { hostIp: '', hostPort: 0, hostPortEnd: 0, containerPort: port, protocol };
    });
}

/** Exposed ports sorted as Docker lists them (by number, then protocol), without duplicates. */
export function sortPortKeys(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort((a, b) => {
    const x = splitPortKey(a);
    const y = splitPortKey(b);
    return x.port - y.port || x.protocol.localeCompare(y.protocol);
  });
}

function displayIp(ip: string): string {
  return ip === '' ? '0.0.0.0' : ip;
}

/**
 * The PORTS column of `ps`, as Docker's DisplayablePorts: a mapping whose host and container
 * ports are equal joins its neighbours into ranges (`0.0.0.0:8000-8002->8000-8002/tcp`), exposed
 * ports that are not published show alone (`80/tcp`), other mappings follow one by one.
 */
export function formatPsPorts(published: PublishedPort[], exposed: string[]): string {
  interface Row {
    ip: string;
    publicPort: number;
    privatePort: number;
    type: string;
  }
  const publishedKeys = new Set(published.map((p) => portKey(p.containerPort, p.protocol)));
  const rows: Row[] = [
    ...published.map((p) => ({ ip: displayIp(p.hostIp), publicPort: p.hostPort, privatePort: p.containerPort, type: p.protocol })),
    ...exposed.filter((k) => !publishedKeys.has(k)).map((k) => ({ ip: '', publicPort: 0, privatePort: splitPortKey(k).port, type: splitPortKey(k).protocol })),
  ];
  rows.sort((a, b) => a.privatePort - b.privatePort || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) || a.publicPort - b.publicPort || a.type.localeCompare(b.type));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const single: string[] = [];
  const form = (key: string, first: number, last: number) => {
    const [ip, type] = key.includes('|') ? key.split('|') : ['', key];
    const range = first === last ? `${first}` : `${first}-${last}`;
    return `${ip ? `${ip}:${range}->${range}` : range}/${type}`;
  };
  for (const r of rows) {
    let key = r.type;
    if (r.ip !== '') {
      if (r.publicPort !== r.privatePort) {
        single.push(`${r.ip}:${r.publicPort}->${r.privatePort}/${r.type}`);
        continue;
      }
      key = `${r.ip}|${r.type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: r.privatePort, last: r.privatePort });
    } else if (r.privatePort === g.last + 1) {
      g.last = r.privatePort;
    } else {
      result.push(form(key, g.first, g.last));
      // Re-inserting keeps Docker's order: a key's final group comes where the key first appeared.
      groups.set(key, { first: r.privatePort, last: r.privatePort });
    }
  }
  for (const [key, g] of groups) result.push(form(key, g.first, g.last));
  return [...result, ...single].join(', ');
}

/** `tsdock port CONTAINER [PRIVATE_PORT[/PROTO]]`: its lines, sorted. */
export function formatPortLines(published: PublishedPort[], filter?: string): string[] {
  const sorted = [...published].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || displayIp(a.hostIp).localeCompare(displayIp(b.hostIp)) || a.hostPort - b.hostPort);
  if (filter === undefined) return sorted.map((p) => `${portKey(p.containerPort, p.protocol)} -> ${displayIp(p.hostIp)}:${p.hostPort}`);
  const { port, protocol } = parsePortFilter(filter);
  return sorted.filter((p) => p.containerPort === port && p.protocol === protocol).map((p) => `${displayIp(p.hostIp)}:${p.hostPort}`);
}

/** `80`, `80/udp` as given to `tsdock port`. */
export function parsePortFilter(text: string): { port: number; protocol: PortProtocol } {
  const [portText, proto] = text.split('/');
  const port = parsePortNumber(portText ?? '', 'port', text);
  return { port, protocol: parseProtocol(proto, text) };
}

/** Docker's HostConfig.PortBindings: "80/tcp" -> [{HostIp, HostPort}] (HostPort "" when random). */
export function portBindings(requests: PortRequest[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const r of requests) {
    const hostPort = r.hostPort === 0 ? '' : r.hostPortEnd > r.hostPort ? `${r.hostPort}-${r.hostPortEnd}` : `${r.hostPort}`;
    (out[portKey(r.containerPort, r.protocol)] ??= []).push({ HostIp: r.hostIp, HostPort: hostPort });
  }
  return out;
}

/** Docker's NetworkSettings.Ports: published ports with their host side, exposed ones as null. */
export function networkSettingsPorts(published: PublishedPort[], exposed: string[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of sortPortKeys([...exposed, ...published.map((p) => portKey(p.containerPort, p.protocol))])) out[k] = null;
  for (const p of published) (out[portKey(p.containerPort, p.protocol)] ??= [])!.push({ HostIp: displayIp(p.hostIp), HostPort: String(p.hostPort) });
  return out;
}
