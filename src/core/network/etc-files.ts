// The /etc/hosts and /etc/resolv.conf a networked container gets, as Docker writes them. Pure.
import { isIpv4 } from './cidr.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface HostsEntry {
  ip: string;
  names: string[];
}

export class EtcFileError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const LOCALHOST_LINES = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** `--add-host name:ip` (or Docker 25's `name=ip`); `host-gateway` stands for the network's gateway. */
export function parseAddHost(spec: string): { name: string; ip: string } {
  const i = spec.search(/[:=]/);
  const name = i < 0 ? '' : spec.slice(0, i);
  const ip = i < 0 ? '' : spec.slice(i + 1);
  if (!name || !HOSTNAME.test(name) || !ip) throw new EtcFileError(`bad format for add-host: "${spec}"`);
  if (ip !== 'host-gateway' && !isIpv4(ip) && !/^[0-9a-fA-F:]+$/.test(ip.replace(/^\[|\]$/g, ''))) throw new EtcFileError(`invalid IP address in add-host: "${ip}"`);
  return { name, ip: ip.replace(/^\[|\]$/g, '') };
}

function line(e: HostsEntry): string {
  return `${e.ip}\t${[...new Set(e.names)].join(' ')}`;
}

/**
 * The hosts file: localhost lines, the --add-host entries, the container's own address with
 * its hostname (127.0.0.1 without a network), then the other containers of its user networks.
 */
export function renderHosts(opts: { self?: HostsEntry; hostname: string; extra: HostsEntry[]; peers: HostsEntry[] }): string {
  const self = opts.self ?? { ip: '127.0.0.1', names: [opts.hostname] };
  return [...LOCALHOST_LINES, ...opts.extra.map(line), line(self), ...opts.peers.map(line), ''].join('\n');
}

/** The host's hosts file with the --add-host entries appended (--network host). */
export function appendHosts(hostFile: string, extra: HostsEntry[]): string {
  if (!extra.length) return hostFile;
  return `${hostFile.replace(/\n*$/, '\n')}${extra.map(line).join('\n')}\n`;
}

const LOOPBACK_NAMESERVER = /^\s*nameserver\s+(127\.\S*|::1)\s*$/;
const NAMESERVER = /^\s*nameserver\s/;
/** Docker's fallback when the host only has loopback resolvers: written into the file, never contacted here. */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/**
 * resolv.conf for a container: the host's, with loopback nameservers dropped (they would point
 * into the container's own namespace) or replaced by --dns; a bridge container that is left
 * without any nameserver gets Docker's fallback. Host networking keeps the host's resolvers.
 */
export function renderResolvConf(host: string, opts: { dns?: string[]; network: 'bridge' | 'none' | 'private' | 'host' }): string {
  const lines = host.split('\n');
  while (lines.length && lines.at(-1)!.trim() === '') lines.pop();
  const dns = opts.dns ?? [];
  let kept: string[];
  if (dns.length) {
    const at = lines.findIndex((l) => NAMESERVER.test(l));
    kept = lines.filter((l) => !NAMESERVER.test(l));
    kept.splice(at < 0 ? kept.length : at, 0, ...dns.map((d) => `nameserver ${d}`));
  } else if (opts.network === 'host') {
    kept = lines;
  } else {
    kept = lines.filter((l) => !LOOPBACK_NAMESERVER.test(l));
    if (opts.network === 'bridge' && !kept.some((l) => NAMESERVER.test(l))) kept.push(...FALLBACK_NAMESERVERS.map((d) => `nameserver ${d}`));
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}
