// The ADD result a CNI DEL needs when ADD's own result was never saved (tsdock killed during
// the ADD chain): the address host-local leased to the container's interface. The firewall
// plugin's DEL removes its CNI-FORWARD rules by the addresses of prevResult and removes
// nothing without one, so teardown gives it this result instead of none.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIpv4, parseIpv4, parseSubnet, subnetContains } from './cidr.js';
import type { CniConfigList, CniResult } from './cni.js';
import { unlessMissing } from '../store/missing-path.js';

interface HostLocalIpam {
  type: string;
  dataDir?: string;
  ranges?: { subnet: string; gateway?: string }[][];
}

/** host-local keeps one file per leased address, `<dataDir>/<network>/<ip>`, holding "<container id>\r\n<ifname>". */
export async function resultFromLease(list: CniConfigList, containerId: string, ifname: string): Promise<CniResult | undefined> {
  const ipam = list.plugins.map((p) => p.ipam as HostLocalIpam | undefined).find((i) => i?.type === 'host-local');
  if (!ipam?.dataDir) return undefined;
  const dir = join(ipam.dataDir, list.name);
  for (const ip of (await unlessMissing(readdir(dir), [] as string[])).filter(isIpv4)) {
    const [owner, iface] = (await unlessMissing(readFile(join(dir, ip), 'utf8'), '')).split(/\r?\n/);
    if (owner?.trim() !== containerId || (iface !== undefined && iface.trim() !== ifname)) continue;
    const range = ipam.ranges?.flat().find((r) => subnetContains(parseSubnet(r.subnet), parseIpv4(ip)!));
    const prefix = range?.subnet.split('/')[1] ?? '32';
    return { cniVersion: list.cniVersion, interfaces: [{ name: ifname }], ips: [{ address: `${ip}/${prefix}`, ...(range?.gateway && { gateway: range.gateway }), interface: 0 }] };
  }
  return undefined;
}
