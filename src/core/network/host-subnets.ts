// Subnets are host-wide: a user network's subnet must overlap neither a route nor an interface
// address of the host, nor the network of another store (another --root) whose bridge may not
// exist yet. Every store registers its user networks' subnets in one host-wide directory beside
// the IPAM leases (<ipamDataDir>/.subnets/<bridge>.json), changed under a host-wide lock.
import { access, mkdir, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { StoreLock } from '../store/store-lock.js';
import { runCommand } from '../process/run-command.js';
import { parseSubnet, type Ipv4Subnet } from './cidr.js';
import { unlessMissing } from '../store/missing-path.js';

/** A subnet something already uses, and what, for the error message. */
export interface UsedSubnet {
  subnet: Ipv4Subnet;
  owner: string;
}

/** A user network's subnet as registered host-wide. */
export interface SubnetReservation {
  subnet: string;
  bridge: string;
  network: string;
  networkId: string;
  /** The network's record file: a reservation whose record is gone (its store deleted) is stale. */
  record: string;
}

export class HostSubnetRegistry {
  readonly dir: string;
  readonly lock: StoreLock;

  constructor(ipamDataDir: string) {
    this.dir = join(ipamDataDir, '.subnets');
    this.lock = new StoreLock(join(ipamDataDir, '.subnets.lock'), 60_000);
  }

  /** Runs `fn` under the host-wide lock (the caller's store lock is taken first, always). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.lock.withLock(fn);
  }

  /** Live reservations of every store; stale ones (record removed with its store) are dropped. Under the lock. */
  async reservations(): Promise<SubnetReservation[]> {
    const out: SubnetReservation[] = [];
    for (const f of await unlessMissing(readdir(this.dir), [] as string[])) {
      if (!f.endsWith('.json') || f.startsWith('.')) continue;
      const r = parseJson<SubnetReservation>(await unlessMissing(readFile(join(this.dir, f), 'utf8'), ''));
      if (r?.subnet && (await ownerStillThere(r))) out.push(r);
      else await unlessMissing(unlink(join(this.dir, f)), undefined);
    }
    return out;
  }

  async has(bridge: string): Promise<boolean> {
    return access(join(this.dir, `${bridge}.json`)).then(() => true, () => false);
  }

  /** Under the lock. */
  async reserve(r: SubnetReservation): Promise<void> {
    await writeJsonAtomic(join(this.dir, `${r.bridge}.json`), r, 0o644, false);
  }

  /** Under the lock; the directory goes when it is empty. */
  async release(bridge: string): Promise<void> {
    await unlink(join(this.dir, `${bridge}.json`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    // Removed only once empty: other reservations (ENOTEMPTY) keep it.
    await rmdir(this.dir).catch(() => {});
  }

  /** What the host and the other stores use: routes, interface addresses, registered networks. Under the lock. */
  async inUse(): Promise<UsedSubnet[]> {
    const [routes, addresses, reserved] = await Promise.all([hostRoutes(), hostAddressSubnets(), this.reservations()]);
    return [
      ...routes.map((r) => ({ subnet: r.subnet, owner: `a route of the host (dev ${r.iface})` })),
      ...addresses,
      ...reserved.map((r) => ({ subnet: parseSubnet(r.subnet), owner: `network ${r.network} of the store ${dirname(dirname(r.record))}` })),
    ];
  }
}

async function ownerStillThere(r: SubnetReservation): Promise<boolean> {
  const rec = parseJson<{ id?: string }>(await unlessMissing(readFile(r.record, 'utf8'), ''));
  return rec?.id === r.networkId;
}

/** undefined for a file that is gone or unreadable (such a reservation is dropped). */
function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The host's IPv4 routes (main table, without the default route), from /proc/net/route. */
export async function hostRoutes(): Promise<{ subnet: Ipv4Subnet; iface: string }[]> {
  const text = await unlessMissing(readFile('/proc/net/route', 'utf8'), '');
  const out: { subnet: Ipv4Subnet; iface: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = leHex(f[1]!);
    const maskBits = leHex(f[7]!);
    if (maskBits === 0) continue;
    const prefix = 32 - Math.log2((~maskBits >>> 0) + 1);
    if (Number.isInteger(prefix)) out.push({ subnet: { network: dest, prefix }, iface: f[0]! });
  }
  return out;
}

/** /proc/net/route prints addresses in host (little-endian) byte order. */
function leHex(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
}

/** The subnets of the host's IPv4 addresses (`ip -j -4 addr`): an interface that is down has an address but no route. */
export async function hostAddressSubnets(): Promise<UsedSubnet[]> {
  const links = JSON.parse(await runCommand('ip', ['-j', '-4', 'addr', 'show'])) as { ifname: string; addr_info?: { local?: string; prefixlen?: number }[] }[];
  const out: UsedSubnet[] = [];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if (!a.local || a.prefixlen === undefined) continue;
      out.push({ subnet: parseSubnet(`${a.local}/${a.prefixlen}`), owner: `an address of the host (${a.local}/${a.prefixlen} on ${link.ifname})` });
    }
  }
  return out;
}
