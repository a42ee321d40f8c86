// Networks as records under <root>/networks/<name>.json. The predefined ones (bridge, host,
// none) are written on first use; user networks get a subnet from the address pools that
// overlaps neither another network (of any store on the host) nor a route or address of the
// host, and a bridge named tsbr-<id>.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { StoreLock } from '../store/store-lock.js';
import { runCommand } from '../process/run-command.js';
import { CidrError, firstHost, formatIpv4, formatSubnet, parseIpv4, parseSubnet, splitSubnet, subnetContains, subnetsOverlap, type Ipv4Subnet } from './cidr.js';
import { HostSubnetRegistry, type SubnetReservation, type UsedSubnet } from './host-subnets.js';
import { ipamLeaseDir, isPredefined, type NetworkRecord } from './network-record.js';
import { TsdockError, type ErrorKind } from '../errors.js';
import { unlessMissing } from '../store/missing-path.js';

export interface NetworkDefaults {
  /** The default network's Linux bridge (Docker's docker0). */
  bridge: string;
  /** The default network's subnet, and its gateway (default: the first address). */
  subnet: string;
  gateway?: string;
  /** Where user networks' subnets come from (Docker's default-address-pools). */
  pools: { base: string; size: number }[];
}

export const DEFAULT_NETWORK_DEFAULTS: NetworkDefaults = {
  bridge: 'tsdock0',
  subnet: '10.99.0.0/16',
  pools: [{ base: '10.100.0.0/16', size: 24 }],
};

export class NetworkNotFoundError extends TsdockError {
  constructor(readonly query: string) {
    super('not-found', `network ${query} not found`);
  }
}

/** A request the network layer refuses (bad subnet, name in use, network busy, ...). */
export class NetworkError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class NetworkStore {
  readonly lock: StoreLock;

  constructor(
    readonly dir: string,
    private readonly defaults: NetworkDefaults,
    /** The host-wide registry of user networks' subnets (shared by every store). */
    private readonly hostSubnets: HostSubnetRegistry,
  ) {
    this.lock = new StoreLock(join(dir, '.lock'), 60_000);
  }

  private file(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private async read(name: string): Promise<NetworkRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.file(name), 'utf8')) as NetworkRecord;
    } catch {
      // Missing or torn record: no such network.
      return undefined;
    }
  }

  /** Writes bridge, host and none unless they exist (first use of the store). */
  async ensurePredefined(): Promise<void> {
    if (await access(this.file('none')).then(() => true, () => false)) return;
    await mkdir(this.dir, { recursive: true, mode: 0o711 });
    await this.lock.withLock(async () => {
      const subnet = parseSubnet(this.defaults.subnet);
      const wanted: NetworkRecord[] = [
        {
          name: 'bridge',
          id: newNetworkId(),
          driver: 'bridge',
          created: new Date().toISOString(),
          subnet: formatSubnet(subnet),
          gateway: this.defaults.gateway ?? formatIpv4(firstHost(subnet)),
          bridge: this.defaults.bridge,
          labels: {},
        },
        { name: 'host', id: newNetworkId(), driver: 'host', created: new Date().toISOString(), labels: {} },
        { name: 'none', id: newNetworkId(), driver: 'null', created: new Date().toISOString(), labels: {} },
      ];
      // 'none' last: its presence is what marks the set complete.
      for (const rec of wanted) if (!(await this.read(rec.name))) await writeJsonAtomic(this.file(rec.name), rec, 0o644, false);
    });
  }

  async list(): Promise<NetworkRecord[]> {
    await this.ensurePredefined();
    const names = (await unlessMissing(readdir(this.dir), [] as string[])).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const recs = await Promise.all(names.map((f) => this.read(f.slice(0, -5))));
    return recs.filter((r): r is NetworkRecord => r !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By exact name, full ID, or unique ID prefix (as Docker resolves networks). */
  async find(query: string): Promise<NetworkRecord | undefined> {
    await this.ensurePredefined();
    if (NETWORK_NAME.test(query)) {
      const byName = await this.read(query);
      if (byName) return byName;
    }
    if (!/^[a-f0-9]+$/.test(query)) return undefined;
    const all = await this.list();
    const exact = all.find((n) => n.id === query);
    if (exact) return exact;
    const byPrefix = all.filter((n) => n.id.startsWith(query));
    if (byPrefix.length > 1) throw new NetworkError(`network ${query} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    return byPrefix[0];
  }

  async get(query: string): Promise<NetworkRecord> {
    const rec = await this.find(query);
    if (!rec) throw new NetworkNotFoundError(query);
    return rec;
  }

  /** `network create`: validates the name and subnet (or picks one) under the store's network lock. */
  async create(opts: { name: string; subnet?: string; gateway?: string; labels?: Record<string, string> }): Promise<NetworkRecord> {
    const { name } = opts;
    if (!NETWORK_NAME.test(name)) throw new NetworkError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    await this.ensurePredefined();
    return this.lock.withLock(async () => {
      await this.ensureReserved(await this.list());
      return this.hostSubnets.withLock(async () => {
        if (isPredefined(name) || (await this.read(name))) throw new NetworkError(`network with name ${name} already exists`, 'conflict');
        const others: UsedSubnet[] = (await this.list()).filter((n) => n.subnet).map((n) => ({ subnet: parseSubnet(n.subnet!), owner: `network ${n.name}` }));
        // Host routes and addresses, and the networks of other stores: subnets are host-wide.
        const used = [...others, ...(await this.hostSubnets.inUse())];
        let subnet: Ipv4Subnet;
        if (opts.subnet !== undefined) {
          try {
            subnet = parseSubnet(opts.subnet, true);
          } catch (err) {
            throw new NetworkError((err as CidrError).message);
          }
          if (subnet.prefix > 30) throw new NetworkError(`invalid subnet ${opts.subnet}: too small to allocate addresses from`);
          const clash = used.find((o) => subnetsOverlap(o.subnet, subnet));
          if (clash) throw new NetworkError(`invalid pool request: Pool overlaps with other one on this address space (${clash.owner}, ${formatSubnet(clash.subnet)})`);
        } else {
          subnet = this.allocateSubnet(used.map((u) => u.subnet));
        }
        let gateway = firstHost(subnet);
        if (opts.gateway !== undefined) {
          const gw = parseIpv4(opts.gateway);
          if (gw === undefined || !subnetContains(subnet, gw) || gw === subnet.network) throw new NetworkError(`no matching subnet for gateway ${opts.gateway}`);
          gateway = gw;
        }
        const id = newNetworkId();
        const rec: NetworkRecord = {
          name,
          id,
          driver: 'bridge',
          created: new Date().toISOString(),
          subnet: formatSubnet(subnet),
          gateway: formatIpv4(gateway),
          bridge: `tsbr-${id.slice(0, 10)}`,
          labels: opts.labels ?? {},
        };
        await this.hostSubnets.reserve(this.reservationOf(rec));
        try {
          await writeJsonAtomic(this.file(name), rec, 0o644, false);
        } catch (err) {
          // Undoing a failed create: its error is the one to report.
          await this.hostSubnets.release(rec.bridge!).catch(() => {});
          throw err;
        }
        return rec;
      });
    });
  }

  private reservationOf(rec: NetworkRecord): SubnetReservation {
    return { subnet: rec.subnet!, bridge: rec.bridge!, network: rec.name, networkId: rec.id, record: this.file(rec.name) };
  }

  /**
   * Registers host-wide the user networks of this store that are not: made by an older tsdock,
   * or before a reboot emptied /run. A stat per network when they all are.
   */
  async ensureReserved(nets: NetworkRecord[]): Promise<void> {
    const missing: NetworkRecord[] = [];
    for (const n of nets) if (!isPredefined(n.name) && n.bridge && n.subnet && !(await this.hostSubnets.has(n.bridge))) missing.push(n);
    if (!missing.length) return;
    await this.hostSubnets.withLock(async () => {
      for (const n of missing) await this.hostSubnets.reserve(this.reservationOf(n));
    });
  }

  private allocateSubnet(used: Ipv4Subnet[]): Ipv4Subnet {
    for (const pool of this.defaults.pools) {
      for (const candidate of splitSubnet(parseSubnet(pool.base), pool.size)) {
        if (!used.some((u) => subnetsOverlap(u, candidate))) return candidate;
      }
    }
    throw new NetworkError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', 'unavailable');
  }

  /**
   * Deletes a user network's record, its Linux bridge and its IPAM leases. The caller checks
   * that no container is attached (and holds the lock).
   */
  async remove(rec: NetworkRecord, ipamDataDir: string): Promise<void> {
    if (isPredefined(rec.name)) throw new NetworkError(`${rec.name} is a pre-defined network and cannot be removed`, 'forbidden');
    if (rec.bridge && (await access(join('/sys/class/net', rec.bridge)).then(() => true, () => false))) {
      await runCommand('ip', ['link', 'delete', rec.bridge, 'type', 'bridge']);
    }
    if (rec.bridge) await rm(ipamLeaseDir(ipamDataDir, rec.bridge), { recursive: true, force: true });
    await unlessMissing(unlink(this.file(rec.name)), undefined);
    if (rec.bridge) await this.hostSubnets.withLock(() => this.hostSubnets.release(rec.bridge!));
  }
}

export function newNetworkId(): string {
  return randomBytes(32).toString('hex');
}
