// Host-side views of what tsdock's networking creates (veths, netns, iptables, IPAM leases), for
// leak checks, and the restoration of the host state a test file found: the CNI plugins'
// shared chains and tsdock0 are removed again only if they were absent before and nothing
// uses them any more.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const IPAM_DIR = '/run/tsdock-ipam';

async function out(cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args, { maxBuffer: 64 << 20 })).stdout;
}

export const lines = (s: string) => s.split('\n').filter(Boolean);

export async function vethCount(): Promise<number> {
  return lines(await out('ip', ['-o', 'link', 'show', 'type', 'veth'])).length;
}

export async function iptablesSave(): Promise<string[]> {
  return lines(await out('iptables-save', [])).filter((l) => !l.startsWith('#'));
}

export async function netnsList(): Promise<string[]> {
  return lines(await out('ip', ['netns', 'list'])).map((l) => l.split(' ')[0]!);
}

/** host-local lease files (an IP each) under the IPAM dir of a bridge, for every network on it. */
export async function leaseFiles(bridge: string): Promise<string[]> {
  const found: string[] = [];
  const base = join(IPAM_DIR, bridge);
  for (const net of await readdir(base).catch(() => [] as string[])) {
    for (const f of await readdir(join(base, net)).catch(() => [] as string[])) if (/^\d+\.\d+\.\d+\.\d+$/.test(f)) found.push(join(net, f));
  }
  return found;
}

export async function linkExists(name: string): Promise<boolean> {
  return execFileP('ip', ['link', 'show', 'dev', name]).then(() => true, () => false);
}

/** A port nothing listens on right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What the CNI plugins create once and share (chains with their entry rules). */
const SHARED_CHAINS = {
  nat: ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK'],
  filter: ['CNI-FORWARD', 'CNI-ADMIN'],
} as const;

/** Rules a shared chain holds when no container uses it. */
const IDLE_RULES: Record<string, number> = { 'CNI-HOSTPORT-DNAT': 0, 'CNI-HOSTPORT-MASQ': 1, 'CNI-HOSTPORT-SETMARK': 1, 'CNI-FORWARD': 1, 'CNI-ADMIN': 0 };

export interface HostNetworkState {
  chains: Set<string>;
  nftTables: Set<string>;
  links: Set<string>;
  /** net.ipv4.ip_forward, which the bridge plugin (isGateway) turns on as Docker does. */
  ipForward: string;
  /** /run/netns existed (`ip netns add` makes it, bind-mounted onto itself). */
  netnsDir: boolean;
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

export async function snapshotHostNetwork(): Promise<HostNetworkState> {
  const chains = new Set<string>();
  for (const table of Object.keys(SHARED_CHAINS)) {
    for (const l of lines(await out('iptables', ['-t', table, '-S']).catch(() => ''))) if (l.startsWith('-N ')) chains.add(l.slice(3));
  }
  const nftTables = new Set(lines(await out('nft', ['list', 'tables']).catch(() => '')));
  const links = new Set(lines(await out('ip', ['-o', 'link'])).map((l) => l.split(':')[1]!.trim().replace(/@.*/, '')));
  const ipForward = (await readFile(IP_FORWARD, 'utf8').catch(() => '')).trim();
  const netnsDir = await readdir('/run/netns').then(() => true, () => false);
  return { chains, nftTables, links, ipForward, netnsDir };
}

/**
 * Removes what appeared since `before` and is idle again: the CNI shared chains (with their
 * jumps), the default bridge and its empty IPAM dir (and ip_forward as it was), and iptables
 * tables that are empty.
 */
export async function restoreHostNetwork(before: HostNetworkState, bridge = 'tsdock0'): Promise<void> {
  for (const [table, chains] of Object.entries(SHARED_CHAINS)) {
    const rules = lines(await out('iptables', ['-t', table, '-S']).catch(() => ''));
    const created = chains.filter((c) => !before.chains.has(c) && rules.includes(`-N ${c}`));
    if (created.length !== chains.length) continue;
    const idle = created.every((c) => rules.filter((r) => r.startsWith(`-A ${c} `)).length === IDLE_RULES[c]);
    if (!idle) continue;
    for (const r of rules.filter((r) => r.startsWith('-A ') && created.some((c) => r.endsWith(`-j ${c}`)))) {
      const args = r.slice(3).match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
      await execFileP('iptables', ['-t', table, '-D', ...args]);
    }
    for (const c of created) await execFileP('iptables', ['-t', table, '-F', c]);
    for (const c of created) await execFileP('iptables', ['-t', table, '-X', c]);
  }
  if (!before.links.has(bridge) && (await linkExists(bridge))) {
    const ports = lines(await out('ip', ['-o', 'link', 'show', 'master', bridge]));
    if (ports.length === 0 && (await leaseFiles(bridge)).length === 0) {
      await execFileP('ip', ['link', 'delete', bridge, 'type', 'bridge']);
      await rm(join(IPAM_DIR, bridge), { recursive: true, force: true });
      await rmdir(IPAM_DIR).catch(() => {});
      // Nothing of tsdock's is left to forward for: forwarding goes back to how it was.
      if (before.ipForward === '0') await writeFile(IP_FORWARD, '0\n').catch(() => {});
    }
  }
  if (!before.netnsDir && (await readdir('/run/netns').catch(() => ['?'])).length === 0) {
    const mounted = (await readFile('/proc/mounts', 'utf8')).split('\n').some((l) => l.split(' ')[1] === '/run/netns');
    if (mounted) await execFileP('umount', ['/run/netns']).catch(() => {});
    await rmdir('/run/netns').catch(() => {});
  }
  // Tables iptables-nft made for the plugins, now holding no rule.
  for (const t of lines(await out('nft', ['list', 'tables']).catch(() => ''))) {
    if (before.nftTables.has(t)) continue;
    const [, family, name] = t.split(' ');
    const content = await out('nft', ['list', 'table', family!, name!]).catch(() => '');
    const hasRules = content.split('\n').some((l) => /^\s+(?!type |policy |chain |})\S/.test(l) && !/^\s*$/.test(l));
    if (!hasRules && !content.includes('chain CNI-')) await execFileP('nft', ['delete', 'table', family!, name!]).catch(() => {});
  }
}
