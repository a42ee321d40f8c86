// The networking keys of tsdock's config file, named as in Docker's daemon.json where Docker
// has them: "bridge" (the default network's Linux bridge), "bip" (its gateway address with
// the prefix, e.g. "10.99.0.1/16"), "default-address-pools" (where user networks' subnets
// come from), plus "cni-plugin-dir" (one dir or a list).
import { formatIpv4, formatSubnet, parseIpv4, parseSubnet } from './cidr.js';
import type { NetworkingSettings } from './container-networking.js';

export interface NetworkConfigKeys {
  bridge?: string;
  bip?: string;
  'default-address-pools'?: { base: string; size: number }[];
  'cni-plugin-dir'?: string | string[];
}

/** Validates the keys; `fail` builds the error (naming the config file). */
export function parseNetworkConfig(raw: Record<string, unknown>, fail: (msg: string) => Error): NetworkConfigKeys {
  const out: NetworkConfigKeys = {};
  if (raw.bridge !== undefined) {
    if (typeof raw.bridge !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(raw.bridge)) throw fail('"bridge" must be an interface name (at most 15 characters)');
    out.bridge = raw.bridge;
  }
  if (raw.bip !== undefined) {
    const m = typeof raw.bip === 'string' ? /^([^/]+)\/(\d+)$/.exec(raw.bip) : null;
    if (!m || parseIpv4(m[1]!) === undefined || !(Number(m[2]) >= 8 && Number(m[2]) <= 30)) throw fail('"bip" must be an IPv4 address with a prefix length, e.g. "10.99.0.1/16"');
    out.bip = raw.bip as string;
  }
  const pools = raw['default-address-pools'];
  if (pools !== undefined) {
    const ok = Array.isArray(pools) && pools.every((p) => {
      try {
        return typeof p === 'object' && p !== null && typeof p.base === 'string' && Number.isInteger(p.size) && p.size >= parseSubnet(p.base).prefix && p.size <= 30;
      } catch {
        // An unparsable base is an invalid pool: reported with the others below.
        return false;
      }
    });
    if (!ok) throw fail('"default-address-pools" must be a list of {"base": "CIDR", "size": prefix length}');
    out['default-address-pools'] = pools as { base: string; size: number }[];
  }
  const dir = raw['cni-plugin-dir'];
  if (dir !== undefined) {
    const dirs = Array.isArray(dir) ? dir : [dir];
    if (!dirs.length || !dirs.every((d) => typeof d === 'string' && d.startsWith('/'))) throw fail('"cni-plugin-dir" must be an absolute path or a list of them');
    out['cni-plugin-dir'] = dir as string | string[];
  }
  return out;
}

/** The networking settings the config asks for (unset keys keep the defaults). */
export function networkingSettingsFromConfig(cfg: NetworkConfigKeys): Partial<NetworkingSettings> {
  const out: Partial<NetworkingSettings> = {};
  if (cfg.bridge) out.bridge = cfg.bridge;
  if (cfg.bip) {
    const [ip] = cfg.bip.split('/');
    out.subnet = formatSubnet(parseSubnet(cfg.bip));
    out.gateway = formatIpv4(parseIpv4(ip!)!);
  }
  if (cfg['default-address-pools']) out.pools = cfg['default-address-pools'];
  if (cfg['cni-plugin-dir']) out.pluginDirs = Array.isArray(cfg['cni-plugin-dir']) ? cfg['cni-plugin-dir'] : [cfg['cni-plugin-dir']];
  return out;
}
