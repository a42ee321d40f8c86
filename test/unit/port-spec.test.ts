import { describe, expect, it } from 'vitest';
import {
  formatPortLines,
  formatPsPorts,
  networkSettingsPorts,
  parseExposed,
  parsePublish,
  portBindings,
  PortSpecError,
  publishAllRequests,
  sortPortKeys,
  type PublishedPort,
} from '../../src/core/network/port-spec.js';
import { networkRequest, NetworkOptionError } from '../../src/core/network/network-options.js';

describe('parsePublish (-p)', () => {
  it('reads the forms Docker accepts', () => {
    expect(parsePublish('80')).toEqual([{ hostIp: '', hostPort: 0, hostPortEnd: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('8080:80')).toEqual([{ hostIp: '', hostPort: 8080, hostPortEnd: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1:8080:80')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, hostPortEnd: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1::80/udp')).toEqual([{ hostIp: '127.0.0.1', hostPort: 0, hostPortEnd: 0, containerPort: 80, protocol: 'udp' }]);
    expect(parsePublish('0.0.0.0:53:53/UDP')).toEqual([{ hostIp: '', hostPort: 53, hostPortEnd: 53, containerPort: 53, protocol: 'udp' }]);
  });

  it('expands ranges port by port, and a host range for one container port is a choice', () => {
    expect(parsePublish('8000-8002:80-82').map((p) => [p.hostPort, p.containerPort])).toEqual([[8000, 80], [8001, 81], [8002, 82]]);
    expect(parsePublish('80-81').map((p) => [p.hostPort, p.containerPort])).toEqual([[0, 80], [0, 81]]);
    expect(parsePublish('8000-8010:80')).toEqual([{ hostIp: '', hostPort: 8000, hostPortEnd: 8010, containerPort: 80, protocol: 'tcp' }]);
  });

  it('rejects what Docker rejects, with its messages', () => {
    const bad = (s: string) => () => parsePublish(s);
    expect(bad('abc')).toThrow(new PortSpecError('invalid containerPort: abc'));
    expect(bad('x:80')).toThrow('invalid hostPort: x');
    expect(bad('70000:80')).toThrow('invalid hostPort: 70000');
    expect(bad('0:80')).toThrow('invalid hostPort: 0');
    expect(bad('8000-8001:80-82')).toThrow('invalid ranges specified for container and host Ports: 80-82 and 8000-8001');
    expect(bad('1.2.3:80:80')).toThrow('invalid IP address: 1.2.3');
    expect(bad('80/sctp')).toThrow('invalid proto: sctp');
    expect(bad('80/icmp')).toThrow('invalid proto: icmp');
    expect(bad('8080:')).toThrow('no port specified');
    expect(bad('[::1]:80:80')).toThrow(/IPv4/);
    expect(bad('90-80')).toThrow('invalid port range');
  });
});

describe('exposed ports and -P', () => {
  it('parses --expose and image ExposedPorts keys', () => {
    expect(parseExposed('80')).toEqual(['80/tcp']);
    expect(parseExposed('53/udp')).toEqual(['53/udp']);
    expect(parseExposed('7000-7002')).toEqual(['7000/tcp', '7001/tcp', '7002/tcp']);
  });

  it('-P publishes every exposed port not given with -p to a random port', () => {
    const explicit = parsePublish('8080:80');
    expect(publishAllRequests(['80/tcp', '443/tcp', '53/udp'], explicit)).toEqual([
      { hostIp: '', hostPort: 0, hostPortEnd: 0, containerPort: 443, protocol: 'tcp' },
      { hostIp: '', hostPort: 0, hostPortEnd: 0, containerPort: 53, protocol: 'udp' },
    ]);
    expect(sortPortKeys(['443/tcp', '53/udp', '80/tcp', '53/tcp', '80/tcp'])).toEqual(['53/tcp', '53/udp', '80/tcp', '443/tcp']);
  });
});

const pub = (hostIp: string, hostPort: number, containerPort: number, protocol: 'tcp' | 'udp' = 'tcp'): PublishedPort => ({ hostIp, hostPort, containerPort, protocol });

describe('the PORTS column (Docker DisplayablePorts)', () => {
  it('shows one mapping as ip:host->container/proto', () => {
    expect(formatPsPorts([pub('127.0.0.1', 8080, 80)], ['80/tcp'])).toBe('127.0.0.1:8080->80/tcp');
    expect(formatPsPorts([pub('', 8080, 80)], [])).toBe('0.0.0.0:8080->80/tcp');
  });

  it('groups consecutive ports published on the same numbers, and lists exposed ports', () => {
    const ports = [pub('', 8000, 8000), pub('', 8001, 8001), pub('', 8002, 8002)];
    expect(formatPsPorts(ports, [])).toBe('0.0.0.0:8000-8002->8000-8002/tcp');
    // Docker's order: a group is printed when a gap ends it, the last group of each key at the end.
    expect(formatPsPorts([], ['80/tcp', '81/tcp', '443/tcp', '53/udp'])).toBe('80-81/tcp, 53/udp, 443/tcp');
    expect(formatPsPorts([pub('', 32768, 80), pub('', 443, 443)], ['80/tcp', '443/tcp', '9000/tcp'])).toBe('0.0.0.0:443->443/tcp, 9000/tcp, 0.0.0.0:32768->80/tcp');
  });

  it('a gap ends a group and the key starts over', () => {
    expect(formatPsPorts([], ['1/tcp', '2/tcp', '4/tcp', '5/tcp'])).toBe('1-2/tcp, 4-5/tcp');
  });
});

describe('tsdock port', () => {
  const ports = [pub('', 8080, 80), pub('127.0.0.1', 5353, 53, 'udp'), pub('127.0.0.1', 9000, 80)];
  it('lists every mapping, sorted', () => {
    expect(formatPortLines(ports)).toEqual(['53/udp -> 127.0.0.1:5353', '80/tcp -> 0.0.0.0:8080', '80/tcp -> 127.0.0.1:9000']);
  });
  it('with a port, prints the host side only (tcp unless told)', () => {
    expect(formatPortLines(ports, '80')).toEqual(['0.0.0.0:8080', '127.0.0.1:9000']);
    expect(formatPortLines(ports, '53/udp')).toEqual(['127.0.0.1:5353']);
    expect(formatPortLines(ports, '53')).toEqual([]);
  });
});

describe('inspect views', () => {
  it('PortBindings keeps what was asked; NetworkSettings.Ports what is in place', () => {
    expect(portBindings([...parsePublish('127.0.0.1:8080:80'), ...parsePublish('81'), ...parsePublish('9000-9005:90')])).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
      '81/tcp': [{ HostIp: '', HostPort: '' }],
      '90/tcp': [{ HostIp: '', HostPort: '9000-9005' }],
    });
    expect(networkSettingsPorts([pub('', 32768, 81)], ['80/tcp', '81/tcp'])).toEqual({ '80/tcp': null, '81/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }] });
  });
});

describe('run flags -> request (networkRequest)', () => {
  const flags = { publish: [], publishAll: false, expose: [], dns: [], addHost: [] };
  it('defaults to the bridge network; names a user network; none/host are modes', () => {
    expect(networkRequest(flags)).toMatchObject({ network: 'bridge', networks: ['bridge'] });
    expect(networkRequest({ ...flags, network: 'default' })).toMatchObject({ network: 'bridge', networks: ['bridge'] });
    expect(networkRequest({ ...flags, network: 'mynet' })).toMatchObject({ network: 'bridge', networks: ['mynet'] });
    expect(networkRequest({ ...flags, network: 'none' })).toMatchObject({ network: 'none' });
    expect(networkRequest({ ...flags, network: 'none' }).networks).toBeUndefined();
  });
  it('ports are dropped with a warning for host, refused for none', () => {
    const host = networkRequest({ ...flags, network: 'host', publish: ['80:80'] });
    expect(host.ports).toEqual([]);
    expect(host.warnings).toEqual(['WARNING: Published ports are discarded when using host network mode']);
    expect(() => networkRequest({ ...flags, network: 'none', publish: ['80'] })).toThrow(new NetworkOptionError('conflicting options: port publishing and the container type network mode'));
    expect(networkRequest({ ...flags, network: 'container:web' })).toMatchObject({ network: 'container', networkContainer: 'web', ports: [], dns: [], addHosts: [] });
    expect(() => networkRequest({ ...flags, network: 'container:' })).toThrow('--network container: needs a container name or ID');
    expect(() => networkRequest({ ...flags, network: 'container:web', publish: ['80'] })).toThrow('conflicting options: port publishing and the container type network mode');
    expect(() => networkRequest({ ...flags, network: 'container:web', publishAll: true })).toThrow('conflicting options: port publishing');
    expect(() => networkRequest({ ...flags, network: 'container:web', dns: ['10.0.0.1'] })).toThrow('conflicting options: dns and the network mode');
    expect(() => networkRequest({ ...flags, network: 'container:web', addHost: ['db:10.0.0.5'] })).toThrow('conflicting options: custom host-to-IP mapping and the network mode');
    expect(networkRequest({ ...flags, network: 'appnet', alias: ['db', 'db.internal'] })).toMatchObject({ networks: ['appnet'], networkAliases: ['db', 'db.internal'] });
    expect(networkRequest({ ...flags, network: 'appnet' })).not.toHaveProperty('networkAliases');
    for (const network of [undefined, 'bridge', 'none', 'host', 'container:web']) {
      expect(() => networkRequest({ ...flags, network, alias: ['db'] })).toThrow('network-scoped alias is supported only for containers in user defined networks');
    }
    expect(() => networkRequest({ ...flags, network: 'appnet', alias: ['bad name'] })).toThrow('invalid network alias "bad name"');
    expect(networkRequest({ ...flags, network: 'appnet', ip: '10.100.3.9' })).toMatchObject({ ipv4Address: '10.100.3.9' });
    expect(() => networkRequest({ ...flags, network: 'appnet', ip: '10.100.3' })).toThrow('invalid IPv4 address: 10.100.3');
    expect(() => networkRequest({ ...flags, ip: '10.99.0.9' })).toThrow('user specified IP address is supported only when connecting to networks with user configured subnets');
    expect(() => networkRequest({ ...flags, network: 'container:web', ip: '10.99.0.9' })).toThrow('conflicting options: ip and the network mode');
  });
  it('checks --dns and --add-host', () => {
    expect(() => networkRequest({ ...flags, dns: ['dns.example'] })).toThrow('dns.example is not an ip address');
    expect(() => networkRequest({ ...flags, addHost: ['nohost'] })).toThrow('bad format for add-host: "nohost"');
    expect(networkRequest({ ...flags, dns: ['1.1.1.1'], addHost: ['db:10.0.0.5'] })).toMatchObject({ dns: ['1.1.1.1'], addHosts: ['db:10.0.0.5'] });
  });
});
