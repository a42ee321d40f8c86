// The CNI side that can be checked without running plugins: conflist generation, the execution
// config derived from it (runtimeConfig from capabilities, prevResult, no `capabilities`),
// subnet arithmetic, the hosts and resolv.conf files, and the config keys.
import { describe, expect, it } from 'vitest';
import { bridgeConfList, ipamLeaseDir, type NetworkRecord } from '../../src/core/network/network-record.js';
import { CniRunner, CniError, type CniResult } from '../../src/core/network/cni.js';
import { formatSubnet, parseSubnet, splitSubnet, subnetsOverlap, CidrError, parseIpv4 } from '../../src/core/network/cidr.js';
import { appendHosts, parseAddHost, renderHosts, renderResolvConf } from '../../src/core/network/etc-files.js';
import { networkingSettingsFromConfig, parseNetworkConfig } from '../../src/core/network/network-config.js';

const net: NetworkRecord = { name: 'mynet', id: 'a'.repeat(64), driver: 'bridge', created: '2024-01-01T00:00:00Z', subnet: '10.100.3.0/24', gateway: '10.100.3.1', bridge: 'tsbr-aaaaaaaaaa', labels: {} };

describe('bridgeConfList', () => {
  it('is bridge + host-local, portmap, firewall at CNI 1.0.0', () => {
    const list = bridgeConfList(net, '/run/tsdock-ipam');
    expect(list).toEqual({
      cniVersion: '1.0.0',
      name: 'mynet',
      plugins: [
        {
          type: 'bridge',
          bridge: 'tsbr-aaaaaaaaaa',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          capabilities: { ips: true },
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.100.3.0/24', gateway: '10.100.3.1' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/run/tsdock-ipam/tsbr-aaaaaaaaaa' },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
        { type: 'firewall', backend: 'iptables' },
      ],
    });
    expect(ipamLeaseDir('/x', 'tsdock0')).toBe('/x/tsdock0');
  });

  it('refuses networks that are not bridges', () => {
    expect(() => bridgeConfList({ ...net, driver: 'host', subnet: undefined }, '/x')).toThrow(/not a bridge network/);
  });
});

describe('execution config (SPEC section 3)', () => {
  const list = bridgeConfList(net, '/d');
  const prev: CniResult = { cniVersion: '1.0.0', ips: [{ address: '10.100.3.2/24', gateway: '10.100.3.1', interface: 2 }] };
  const portMappings = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }];

  it('inserts cniVersion and name, drops capabilities, gives runtimeConfig only for declared capabilities', () => {
    const portmap = CniRunner.executionConfig(list, list.plugins[1]!, { portMappings }, prev);
    expect(portmap).toEqual({ type: 'portmap', snat: true, cniVersion: '1.0.0', name: 'mynet', runtimeConfig: { portMappings }, prevResult: prev });
    const firewall = CniRunner.executionConfig(list, list.plugins[2]!, { portMappings }, prev);
    expect(firewall).not.toHaveProperty('runtimeConfig');
    expect(firewall).not.toHaveProperty('capabilities');
    const bridge = CniRunner.executionConfig(list, list.plugins[0]!, undefined, undefined);
    expect(bridge).not.toHaveProperty('prevResult');
    expect(bridge).toMatchObject({ type: 'bridge', name: 'mynet', cniVersion: '1.0.0' });
  });

  it('a plugin that is missing is a CniError naming the dirs', async () => {
    const runner = new CniRunner(['/nonexistent-cni']);
    await expect(runner.findPlugin('bridge')).rejects.toThrow(CniError);
    await expect(runner.findPlugin('bridge')).rejects.toThrow('failed to find plugin "bridge" in path [/nonexistent-cni]');
    await expect(runner.findPlugin('../bin/sh')).rejects.toThrow(/invalid plugin type/);
  });

  it('carries the plugin error object (code, msg, details)', () => {
    const e = new CniError('host-local', 'ADD', 7, 'Invalid Configuration', 'Network 192.168.0.0/31 too small to allocate from.');
    expect(e.message).toBe('CNI plugin host-local ADD failed: Invalid Configuration: Network 192.168.0.0/31 too small to allocate from.');
    expect([e.code, e.msg, e.details]).toEqual([7, 'Invalid Configuration', 'Network 192.168.0.0/31 too small to allocate from.']);
  });
});

describe('cidr', () => {
  it('parses, normalizes and compares subnets', () => {
    expect(formatSubnet(parseSubnet('10.99.3.4/16'))).toBe('10.99.0.0/16');
    expect(() => parseSubnet('10.99.3.4/16', true)).toThrow(CidrError);
    expect(() => parseSubnet('10.99.0.0/33')).toThrow('invalid CIDR address: 10.99.0.0/33');
    expect(() => parseSubnet('300.1.1.1/8')).toThrow(CidrError);
    expect(subnetsOverlap(parseSubnet('10.99.0.0/16'), parseSubnet('10.99.200.0/24'))).toBe(true);
    expect(subnetsOverlap(parseSubnet('10.99.0.0/16'), parseSubnet('10.100.0.0/24'))).toBe(false);
    expect([...splitSubnet(parseSubnet('10.100.0.0/22'), 24)].map(formatSubnet)).toEqual(['10.100.0.0/24', '10.100.1.0/24', '10.100.2.0/24', '10.100.3.0/24']);
    expect(parseIpv4('010.1.1.1')).toBeUndefined();
  });
});

describe('hosts and resolv.conf', () => {
  it('hosts: localhost lines, --add-host, the container, then its peers', () => {
    expect(renderHosts({ self: { ip: '10.100.3.2', names: ['abc123', 'web'] }, hostname: 'abc123', extra: [{ ip: '1.2.3.4', names: ['db'] }], peers: [{ ip: '10.100.3.3', names: ['api', 'def456'] }] })).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n1.2.3.4\tdb\n10.100.3.2\tabc123 web\n10.100.3.3\tapi def456\n',
    );
    expect(renderHosts({ hostname: 'h', extra: [], peers: [] }).trim().split('\n').at(-1)).toBe('127.0.0.1\th');
    expect(appendHosts('127.0.0.1 localhost\n', [{ ip: '1.2.3.4', names: ['x'] }])).toBe('127.0.0.1 localhost\n1.2.3.4\tx\n');
  });

  it('--add-host forms', () => {
    expect(parseAddHost('db:10.0.0.5')).toEqual({ name: 'db', ip: '10.0.0.5' });
    expect(parseAddHost('db=10.0.0.5')).toEqual({ name: 'db', ip: '10.0.0.5' });
    expect(parseAddHost('gw:host-gateway')).toEqual({ name: 'gw', ip: 'host-gateway' });
    expect(parseAddHost('v6:[::1]')).toEqual({ name: 'v6', ip: '::1' });
    expect(() => parseAddHost('db:not-an-ip')).toThrow(/invalid IP address/);
  });

  it('resolv.conf: loopback resolvers go, Docker\'s fallback when none is left, --dns replaces', () => {
    const host = 'search lan\nnameserver 127.0.0.53\noptions edns0\n';
    expect(renderResolvConf(host, { network: 'bridge' })).toBe('search lan\noptions edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(renderResolvConf(host, { network: 'none' })).toBe('search lan\noptions edns0\n');
    expect(renderResolvConf('nameserver 10.0.0.2\nnameserver ::1\n', { network: 'bridge' })).toBe('nameserver 10.0.0.2\n');
    expect(renderResolvConf(host, { network: 'bridge', dns: ['1.1.1.1', '9.9.9.9'] })).toBe('search lan\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions edns0\n');
    expect(renderResolvConf(host, { network: 'host' })).toBe(host);
  });
});

describe('config keys', () => {
  const fail = (m: string) => new Error(m);
  it('bip gives the default subnet and gateway; pools and plugin dirs pass through', () => {
    const keys = parseNetworkConfig({ bridge: 'br9', bip: '10.50.0.1/16', 'default-address-pools': [{ base: '10.60.0.0/16', size: 24 }], 'cni-plugin-dir': '/opt/cni/bin' }, fail);
    expect(networkingSettingsFromConfig(keys)).toEqual({ bridge: 'br9', subnet: '10.50.0.0/16', gateway: '10.50.0.1', pools: [{ base: '10.60.0.0/16', size: 24 }], pluginDirs: ['/opt/cni/bin'] });
    expect(networkingSettingsFromConfig(parseNetworkConfig({}, fail))).toEqual({});
  });
  it('rejects bad values', () => {
    expect(() => parseNetworkConfig({ bip: '10.50.0.1' }, fail)).toThrow(/"bip"/);
    expect(() => parseNetworkConfig({ bridge: 'a-much-too-long-name' }, fail)).toThrow(/"bridge"/);
    expect(() => parseNetworkConfig({ 'default-address-pools': [{ base: '10.0.0.0/16', size: 8 }] }, fail)).toThrow(/default-address-pools/);
    expect(() => parseNetworkConfig({ 'cni-plugin-dir': 'relative' }, fail)).toThrow(/cni-plugin-dir/);
  });
});
