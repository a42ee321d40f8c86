import type { ContainerManager } from '../runtime/container-manager.js';
import type { NetworkRecord } from '../network/network-record.js';
import { TsdockError } from '../errors.js';

export interface NetworkCreateOptions {
  name: string;
  /** One IPv4 subnet in CIDR form; default: the next free one of the address pools. */
  subnet?: string;
  gateway?: string;
  labels?: Record<string, string>;
}

/** `network create|ls|inspect|rm|prune|connect|disconnect` over the container networking (CNI). */
export class NetworkService {
  constructor(private readonly manager: ContainerManager) {}

  create(opts: NetworkCreateOptions): Promise<NetworkRecord> {
    return this.manager.networking.networks.create({ name: opts.name, subnet: opts.subnet, gateway: opts.gateway, labels: opts.labels ?? {} });
  }

  list(): Promise<NetworkRecord[]> {
    return this.manager.networking.networks.list();
  }

  /** Docker's `network inspect` object, with the containers attached to it now. */
  async inspect(query: string): Promise<Record<string, unknown>> {
    // As before, an ambiguous ID prefix is reported as no such network too (Docker says the same).
    const net = await this.manager.networking.networks.find(query).catch(() => undefined);
    if (!net) throw new TsdockError('not-found', `No such network: ${query}`);
    return this.manager.networking.networkInspect(net);
  }

  remove(query: string): Promise<NetworkRecord> {
    return this.manager.networking.removeNetwork(query);
  }

  /** Removes the custom networks no container uses; returns them. */
  prune(): Promise<NetworkRecord[]> {
    return this.manager.networking.pruneNetworks();
  }

  /** Adds the network to the container's; a running container is attached now. */
  async connect(network: string, container: string): Promise<void> {
    await this.manager.changeNetworks(container, (rec, running) => this.manager.networking.connect(rec, network, running));
  }

  async disconnect(network: string, container: string): Promise<void> {
    await this.manager.changeNetworks(container, (rec, running) => this.manager.networking.disconnect(rec, network, running));
  }
}
