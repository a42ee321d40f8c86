// A network as stored in <root>/networks/<name>.json, and the CNI configuration list it runs.
import { join } from 'node:path';
import { CNI_VERSION, type CniConfigList } from './cni.js';

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface NetworkRecord {
  name: string;
  /** 64 lowercase hex */
  id: string;
  driver: NetworkDriver;
  created: string;
  /** bridge only: IPv4 subnet (CIDR), its gateway (the bridge's address) and the Linux bridge. */
  subnet?: string;
  gateway?: string;
  bridge?: string;
  labels: Record<string, string>;
}

/** The networks every store has, as Docker's: they cannot be created or removed. */
export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'] as const;

export function isPredefined(name: string): boolean {
  return (PREDEFINED_NETWORKS as readonly string[]).includes(name);
}

/**
 * The conflist of a bridge network: `bridge` (veth into the Linux bridge, the bridge as the
 * gateway, masquerading out, hairpin so a container reaches itself through a published port)
 * with `host-local` IPAM, then `portmap` (published ports, given as the portMappings
 * capability) and `firewall` (FORWARD accepts for the container's address).
 * IPAM leases live in `ipamDataDir/<bridge>/<network name>`: the bridge is what the addresses
 * are unique on, so stores sharing a bridge share the leases.
 */
export function bridgeConfList(net: NetworkRecord, ipamDataDir: string): CniConfigList {
  if (net.driver !== 'bridge' || !net.subnet || !net.gateway || !net.bridge) throw new Error(`network ${net.name} is not a bridge network`);
  return {
    cniVersion: CNI_VERSION,
    name: net.name,
    plugins: [
      {
        type: 'bridge',
        bridge: net.bridge,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        // --ip: the runtime passes runtimeConfig.ips; bridge hands its config to host-local, which reads it.
        capabilities: { ips: true },
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: net.subnet, gateway: net.gateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: ipamLeaseDir(ipamDataDir, net.bridge),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      { type: 'firewall', backend: 'iptables' },
    ],
  };
}

/** host-local's dataDir for a bridge (it adds the network name below). */
export function ipamLeaseDir(ipamDataDir: string, bridge: string): string {
  return join(ipamDataDir, bridge);
}

/** The portMappings capability argument, as portmap reads it. */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIP?: string;
}
