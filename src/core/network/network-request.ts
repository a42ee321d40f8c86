import type { PortRequest } from './port-spec.js';

/**
 * A container's networking as networking sees it: the mode and the networking part of its
 * create request. runtime's ContainerSpecRequest extends NetworkRequest and its ContainerRecord
 * is a NetworkedContainer, so network needs nothing from runtime.
 */

/**
 * 'bridge': a netns of its own joined to `networks` through CNI; 'none'/'private': loopback only;
 * 'container': the netns of another container (`--network container:NAME`).
 */
export type NetworkMode = 'none' | 'host' | 'private' | 'bridge' | 'container';

/** The networking fields of a create request (Docker's NetworkMode, PortBindings, Dns, ExtraHosts, ...). */
export interface NetworkRequest {
  network: NetworkMode;
  /** With network 'container': whose network namespace, /etc/hosts and resolv.conf are shared (its ID after create). */
  networkContainer?: string;
  /** --ip: the IPv4 address to take on its (first, user-defined) network. */
  ipv4Address?: string;
  /** --network-alias: more names peers on its user networks resolve to it. */
  networkAliases?: string[];
  /** With network 'bridge': the networks to join, by name (the first is eth0); default ['bridge']. */
  networks?: string[];
  /** -p/-P, resolved at create (-P from the exposed ports); host port 0 = random at each start. */
  ports?: PortRequest[];
  publishAll?: boolean;
  /** "80/tcp" keys: the image's ExposedPorts, --expose and the published container ports. */
  exposedPorts?: string[];
  /** --dns and --add-host ("name:ip"). */
  dns?: string[];
  addHosts?: string[];
}

/** What networking reads of a container. */
export interface NetworkedContainer {
  id: string;
  name: string;
  hostname: string;
  request: NetworkRequest;
  state: { status: string };
}
