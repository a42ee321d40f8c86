// `run`/`create` networking flags turned into the request's fields: --network/--net, -p, -P,
// --expose, --dns, --add-host. Pure; the networks themselves are checked at create.
import { isIpv4 } from './cidr.js';
import { parseAddHost } from './etc-files.js';
import { parseExposed, parsePublish, type PortRequest } from './port-spec.js';
import type { NetworkMode, NetworkRequest } from './network-request.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export interface NetworkFlags {
  network?: string;
  publish: string[];
  publishAll: boolean;
  expose: string[];
  dns: string[];
  addHost: string[];
  /** --network-alias: more names the container has on its user networks. */
  alias?: string[];
  /** --ip: an IPv4 address on the (user-defined) network. */
  ip?: string;
}

export class NetworkOptionError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/** Docker's default is the `bridge` network; `default` names it too. */
export function networkRequest(flags: NetworkFlags): NetworkRequest & { warnings: string[] } {
  const given = flags.network ?? 'default';
  if (given.startsWith('container:')) return joinedNetworkRequest(given.slice('container:'.length), flags);
  let network: NetworkMode;
  let networks: string[] | undefined;
  if (given === 'host' || given === 'none' || given === 'private') network = given;
  else {
    network = 'bridge';
    networks = [given === 'default' ? 'bridge' : given];
  }
  const ports: PortRequest[] = [];
  for (const p of flags.publish) ports.push(...parsePublish(p));
  const exposedPorts = flags.expose.flatMap(parseExposed);
  for (const d of flags.dns) if (!isIpv4(d) && !/^[0-9a-fA-F:]+$/.test(d)) throw new NetworkOptionError(`${d} is not an ip address`);
  for (const h of flags.addHost) parseAddHost(h);
  const warnings: string[] = [];
  if (network === 'host' && (ports.length || flags.publishAll)) warnings.push('WARNING: Published ports are discarded when using host network mode');
  if ((network === 'none' || network === 'private') && (ports.length || flags.publishAll)) {
    throw new NetworkOptionError('conflicting options: port publishing and the container type network mode');
  }
  const aliases = flags.alias ?? [];
  // Docker: aliases live in a user network's name resolution; the default bridge has none.
  if (aliases.length && (network !== 'bridge' || networks?.[0] === 'bridge')) throw new NetworkOptionError('network-scoped alias is supported only for containers in user defined networks');
  for (const a of aliases) if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a)) throw new NetworkOptionError(`invalid network alias "${a}": use letters, digits, '.', '_' and '-'`);
  if (flags.ip !== undefined) {
    if (!isIpv4(flags.ip)) throw new NetworkOptionError(`invalid IPv4 address: ${flags.ip}`);
    if (network !== 'bridge' || networks?.[0] === 'bridge') throw new NetworkOptionError('user specified IP address is supported only when connecting to networks with user configured subnets');
  }
  return {
    network,
    ...(networks && { networks }),
    ...(aliases.length && { networkAliases: aliases }),
    ...(flags.ip !== undefined && { ipv4Address: flags.ip }),
    ports: network === 'host' ? [] : ports,
    publishAll: network !== 'host' && flags.publishAll,
    exposedPorts,
    dns: flags.dns,
    addHosts: flags.addHost,
    warnings,
  };
}

/**
 * `--network container:NAME`: the container shares NAME's network namespace and its /etc/hosts
 * and resolv.conf, so what would change them is refused, with Docker's messages.
 */
function joinedNetworkRequest(target: string, flags: NetworkFlags): NetworkRequest & { warnings: string[] } {
  if (!target) throw new NetworkOptionError('--network container: needs a container name or ID, e.g. --network container:web');
  if (flags.publish.length || flags.publishAll) throw new NetworkOptionError('conflicting options: port publishing and the container type network mode');
  if (flags.expose.length) throw new NetworkOptionError('conflicting options: port exposing and the container type network mode');
  if (flags.dns.length) throw new NetworkOptionError('conflicting options: dns and the network mode');
  if (flags.addHost.length) throw new NetworkOptionError('conflicting options: custom host-to-IP mapping and the network mode');
  if (flags.alias?.length) throw new NetworkOptionError('network-scoped alias is supported only for containers in user defined networks');
  if (flags.ip !== undefined) throw new NetworkOptionError('conflicting options: ip and the network mode');
  return { network: 'container', networkContainer: target, ports: [], publishAll: false, exposedPorts: [], dns: [], addHosts: [], warnings: [] };
}
