// Bridge networking through the CNI plugins: a published port answers on 127.0.0.1, containers
// of a user network reach each other by name, --network none has loopback only, a taken host
// port is refused before the container starts, and run/rm cycles and a killed tsdock leave no
// veth, netns, IPAM lease or iptables rule behind. Traffic goes only to 127.0.0.1 and to the
// containers this file starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, waitFor, type ContainerSandbox } from '../helpers/containers.js';
import { TSDOCK_BIN } from '../helpers/tsdock.js';
import { CniError, CniRunner } from '../../src/core/network/cni.js';
import type { NetworkAttachment } from '../../src/core/network/attachment-store.js';
import { freePort, iptablesSave, leaseFiles, linkExists, lines, netnsList, restoreHostNetwork, snapshotHostNetwork, vethCount, type HostNetworkState } from '../helpers/network.js';

const execFileP = promisify(execFile);
let c: ContainerSandbox;
let IMG: string;
let hostBefore: HostNetworkState;
let iptablesBefore: string[];
const ids = new Set<string>();
const userBridges = new Set<string>();

/** busybox httpd serving `text` at / on port 80 of the container. */
const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

async function runD(args: string[]): Promise<string> {
  const id = (await c.ok(['run', '-d', ...args])).trim();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  ids.add(id);
  return id;
}

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.text();
}

/** Everything of this file's containers that could leak, found on the host. */
async function leftoversOf(containerIds: Iterable<string>): Promise<string[]> {
  const found: string[] = [];
  const netns = await netnsList();
  const rules = await iptablesSave();
  for (const id of containerIds) {
    if (netns.includes(`tsdock-${id.slice(0, 12)}`)) found.push(`netns of ${id}`);
    if (rules.some((r) => r.includes(id))) found.push(`iptables rules of ${id}`);
    for (const bridge of ['tsdock0', ...userBridges]) {
      for (const lease of await leaseFiles(bridge)) {
        const owner = await readFile(join('/run/tsdock-ipam', bridge, lease), 'utf8').catch(() => '');
        if (owner.startsWith(id)) found.push(`lease ${lease} of ${id}`);
      }
    }
  }
  const attachments = await readdir(join(c.sb.root, 'networks', 'attachments')).catch(() => [] as string[]);
  if (attachments.length) found.push(`attachment records ${attachments.join(' ')}`);
  return found;
}

beforeAll(async () => {
  hostBefore = await snapshotHostNetwork();
  iptablesBefore = await iptablesSave();
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
});

afterAll(async () => {
  for (const id of (await c.sb.run(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean)) ids.add(id);
  await c?.cleanup();
  // cleanup removed the store: the network records went with it; the bridges must be gone already.
  for (const b of userBridges) expect(await linkExists(b), `bridge ${b} left behind`).toBe(false);
  expect(await leftoversOf(ids)).toEqual([]);
  await restoreHostNetwork(hostBefore);
  // When the plugins' shared chains were new and are gone again (no other user of them),
  // iptables is exactly as this file found it.
  if (hostBefore.chains.size === 0 && (await snapshotHostNetwork()).chains.size === 0) expect(await iptablesSave()).toEqual(iptablesBefore);
});

describe('published ports', () => {
  it('a busybox httpd answers on 127.0.0.1:<published port>, shown in ps, port and inspect', async () => {
    const port = await freePort();
    const id = await runD(['--name', 'web', '-p', `127.0.0.1:${port}:80`, IMG, ...httpd('hello-from-web')]);
    expect(await waitFor('httpd to answer', () => get(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000)).toBe('hello-from-web\n');
    expect(await c.ok(['ps', '--format', '{{.Names}} {{.Ports}}', '-f', 'name=^web$'])).toBe(`web 127.0.0.1:${port}->80/tcp\n`);
    expect(await c.ok(['port', 'web'])).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    expect(await c.ok(['port', 'web', '80/tcp'])).toBe(`127.0.0.1:${port}\n`);
    const none = await c.run(['port', 'web', '81']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("Error: No public port '81/tcp' published for web\n");
    const info = await c.inspect('web');
    const ns = info.NetworkSettings as { IPAddress: string; Gateway: string; IPPrefixLen: number; Ports: unknown; SandboxKey: string; Networks: Record<string, { IPAddress: string; Gateway: string; MacAddress: string }> };
    expect(ns.IPAddress).toMatch(/^10\.99\.\d+\.\d+$/);
    expect(ns.Gateway).toBe('10.99.0.1');
    expect(ns.IPPrefixLen).toBe(16);
    expect(ns.Ports).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(ns.Networks.bridge).toMatchObject({ IPAddress: ns.IPAddress, Gateway: '10.99.0.1', MacAddress: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/) });
    expect(ns.SandboxKey).toBe(`/run/netns/tsdock-${id.slice(0, 12)}`);
    expect((info.HostConfig as { NetworkMode: string; PortBindings: unknown }).PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    // The container sees its own address on eth0, and the host reaches it directly too.
    expect(await c.ok(['exec', 'web', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).toContain(`${ns.IPAddress}/16`);
    expect(await get(`http://${ns.IPAddress}/`)).toBe('hello-from-web\n');
    // Its /etc/hosts names it by its address; resolv.conf has no loopback resolver.
    expect(await c.ok(['exec', 'web', 'cat', '/etc/hosts'])).toContain(`${ns.IPAddress}\t${id.slice(0, 12)}\n`);
    expect(lines(await c.ok(['exec', 'web', 'cat', '/etc/resolv.conf'])).filter((l) => /^nameserver\s+(127\.|::1)/.test(l))).toEqual([]);
    // CNI CHECK of the recorded attachment (cached ADD result as prevResult) passes against the
    // real plugins; a wrong interface fails. Without the portMappings capability: Debian's
    // portmap 1.1.1 CHECK demands IPv6 rules of an IPv4-only container
    // (containernetworking/plugins#819), which this also pins down.
    const att = JSON.parse(await readFile(join(c.sb.root, 'networks', 'attachments', `${id}.json`), 'utf8')) as NetworkAttachment;
    const ep = att.endpoints[0]!;
    const cni = new CniRunner(['/usr/lib/cni']);
    const params = { containerId: id, netns: att.netnsPath, ifname: ep.ifname };
    await cni.check(ep.config, params, ep.result!);
    await expect(cni.check(ep.config, { ...params, ifname: 'eth7' }, ep.result!)).rejects.toThrow(CniError);
    await expect(cni.check(ep.config, { ...params, capabilityArgs: { portMappings: ep.portMappings } }, ep.result!)).rejects.toThrow(/portmap CHECK failed: could not check ipv6 dnat/);
    await c.ok(['rm', '-f', 'web']);
    await expect(get(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('-p 127.0.0.1::80 takes a random free port; -P publishes EXPOSEd ports', async () => {
    await runD(['--name', 'rnd', '-p', '127.0.0.1::80', '--expose', '8080', '-P', IMG, ...httpd('random')]);
    const lines80 = lines(await c.ok(['port', 'rnd']));
    expect(lines80).toHaveLength(2);
    const m = /^80\/tcp -> 127\.0\.0\.1:(\d+)$/.exec(lines80[0]!);
    expect(m, lines80.join('|')).not.toBeNull();
    expect(lines80[1]).toMatch(/^8080\/tcp -> 0\.0\.0\.0:\d+$/);
    expect(await waitFor('httpd on the random port', () => get(`http://127.0.0.1:${m![1]}/`).catch(() => undefined), 10_000)).toBe('random\n');
    const ports = (await c.ok(['ps', '--format', '{{.Ports}}', '-f', 'name=^rnd$'])).trim();
    expect(ports).toMatch(/^127\.0\.0\.1:\d+->80\/tcp, 0\.0\.0\.0:\d+->8080\/tcp$/);
    await c.ok(['rm', '-f', 'rnd']);
  });

  it('a taken host port is an error before the container starts (a host socket, or another container)', async () => {
    const port = await freePort();
    const server: Server = createServer((s) => s.end('host'));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const r = await c.run(['run', '--name', 'clash', '-p', `127.0.0.1:${port}:80`, IMG, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(`Bind for 127.0.0.1:${port} failed: port is already allocated`);
      expect((await c.inspect('clash')).State.Status).toBe('created');
      expect(await c.ok(['ps', '-q', '-f', 'name=^clash$'])).toBe('');
      await c.ok(['rm', 'clash']);
      // With --rm the container that could not start is removed, as Docker does.
      const rm = await c.run(['run', '--rm', '--name', 'clashrm', '-p', `127.0.0.1:${port}:80`, IMG, 'true']);
      expect(rm.code).toBe(125);
      expect(rm.stderr).toContain('port is already allocated');
      expect(await c.ok(['ps', '-aq', '-f', 'name=^clashrm$'])).toBe('');
    } finally {
      await new Promise((r) => server.close(r));
    }
    // A DNAT rule holds no socket: tsdock checks the ports its own containers publish.
    const other = await freePort();
    await runD(['--name', 'holder', '-p', `127.0.0.1:${other}:80`, IMG, 'sleep', '300']);
    const again = await c.run(['run', '-d', '--name', 'clash2', '-p', `${other}:80`, IMG, 'true']);
    expect(again.code).toBe(125);
    expect(again.stderr).toContain(`Bind for 0.0.0.0:${other} failed: port is already allocated`);
    expect(await c.ok(['ps', '-q', '-f', 'name=^clash2$'])).toBe('');
    await c.ok(['rm', '-f', 'holder', 'clash2']);
  });
});

describe('the CNI plugins', () => {
  it('speak CNI 1.0.0 (VERSION); an incompatible config version is a CniError with the plugin\'s code and message', async () => {
    const cni = new CniRunner(['/usr/lib/cni']);
    for (const type of ['bridge', 'host-local', 'portmap', 'firewall']) expect(await cni.versions(type)).toContain('1.0.0');
    // firewall stops at the version check: nothing is touched.
    const err = await cni
      .add({ cniVersion: '0.3.1', name: 'x', plugins: [{ type: 'firewall', backend: 'iptables' }] }, { containerId: 'version-probe', netns: '/nonexistent', ifname: 'eth0' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ plugin: 'firewall', command: 'ADD', code: 1, msg: 'incompatible CNI versions' });
    expect((err as CniError).details).toContain('0.4.0');
  });
});

describe('network modes', () => {
  it('--network none has only lo; the default bridge has eth0 too', async () => {
    const names = (out: string) => lines(out).map((l) => l.split(':')[1]!.trim().replace(/@.*/, '')).sort();
    expect(names(await c.ok(['run', '--rm', '--network', 'none', IMG, 'ip', '-o', 'link']))).toEqual(['lo']);
    expect(names(await c.ok(['run', '--rm', IMG, 'ip', '-o', 'link']))).toEqual(['eth0', 'lo']);
    const bad = await c.run(['run', '--rm', '--network', 'nosuchnet', IMG, 'true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('network nosuchnet not found');
  });

  it('--dns and --add-host are written into the container\'s files', async () => {
    const out = await c.ok(['run', '--rm', '--dns', '10.0.0.53', '--add-host', 'db.local:10.1.2.3', IMG, 'sh', '-c', 'cat /etc/resolv.conf; echo ---; cat /etc/hosts']);
    const [resolv, hosts] = out.split('---\n');
    expect(lines(resolv!).filter((l) => l.startsWith('nameserver'))).toEqual(['nameserver 10.0.0.53']);
    expect(hosts).toContain('10.1.2.3\tdb.local\n');
  });
});

describe('--network container:NAME', () => {
  it('shares the running container\'s netns (its loopback servers, interfaces and address), hostname and /etc files', async () => {
    const web = await runD(['--name', 'netowner', '-h', 'owner-host', '--add-host', 'db.local:10.1.2.3', IMG, ...httpd('shared-netns')]);
    // Its own loopback: only a process in the same netns reaches the server on 127.0.0.1:80.
    const got = await waitFor('httpd in the shared netns', async () => {
      const r = await c.run(['run', '--rm', '--network', 'container:netowner', IMG, 'wget', '-qO-', 'http://127.0.0.1/']);
      return r.code === 0 ? r.stdout : undefined;
    });
    expect(got).toBe('shared-netns\n');
    const ownerAddr = (await c.ok(['exec', 'netowner', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).trim().split(/\s+/)[3];
    const out = await c.ok(['run', '--rm', '--network', `container:${web.slice(0, 12)}`, IMG, 'sh', '-c', 'ip -o -4 addr show eth0; echo ---; hostname; echo ---; cat /etc/hosts']);
    const [addr, host, hosts] = out.split('---\n');
    expect(addr!.trim().split(/\s+/)[3]).toBe(ownerAddr);
    expect(host!.trim()).toBe('owner-host');
    expect(hosts).toContain('10.1.2.3\tdb.local\n');
    const joined = await c.run(['create', '--name', 'joiner', '--network', 'container:netowner', IMG, 'true']);
    expect(joined.code).toBe(0);
    ids.add(joined.stdout.trim());
    expect((await c.ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'joiner'])).trim()).toBe(`container:${web}`);
    // The joiner has no network of its own: nothing to set up or tear down for it.
    const attachments = await readdir(join(c.sb.root, 'networks', 'attachments'));
    expect(attachments.filter((a) => a.startsWith(joined.stdout.trim()))).toEqual([]);
  });

  it('refuses what would change the shared network, an unknown container and one that is not running', async () => {
    for (const [flags, message] of [
      [['-p', '8080:80'], 'conflicting options: port publishing and the container type network mode'],
      [['--dns', '10.0.0.53'], 'conflicting options: dns and the network mode'],
      [['-h', 'other'], 'conflicting options: hostname and the network mode'],
    ] as const) {
      const r = await c.run(['run', '--rm', '--network', 'container:netowner', ...flags, IMG, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(message);
    }
    const missing = await c.run(['run', '--rm', '--network', 'container:nosuch', IMG, 'true']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('No such container: nosuch');
    const stopped = (await c.ok(['create', '--name', 'stoppedowner', '--network', 'none', IMG, 'sleep', '60'])).trim();
    ids.add(stopped);
    const r = await c.run(['run', '--rm', '--network', 'container:stoppedowner', IMG, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`cannot join network of a non running container: ${stopped}`);
    const owner = (await c.ok(['inspect', '-f', '{{.Id}}', 'netowner'])).trim();
    await c.ok(['rm', '-f', 'netowner', 'joiner', 'stoppedowner']);
    expect(await leftoversOf([owner])).toEqual([]);
  });
});

describe('user networks', () => {
  it('containers on a user network reach each other by name; hosts files follow them; rm is refused while in use', async () => {
    const netId = (await c.ok(['network', 'create', 'testnet'])).trim();
    expect(netId).toMatch(/^[0-9a-f]{64}$/);
    const bridge = `tsbr-${netId.slice(0, 10)}`;
    userBridges.add(bridge);
    const ls = await c.ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
    expect(lines(ls)).toEqual(['bridge bridge local', 'host host local', 'none null local', 'testnet bridge local']);
    const [subnet] = JSON.parse(await c.ok(['network', 'inspect', '--format', '{{json .IPAM.Config}}', 'testnet'])) as { Subnet: string }[];
    expect(subnet!.Subnet).toMatch(/^10\.100\.\d+\.0\/24$/);

    await runD(['--name', 'alpha', '--network', 'testnet', IMG, 'sleep', '300']);
    await runD(['--name', 'beta', '--network', 'testnet', '--network-alias', 'web', '--network-alias', 'www.example', IMG, ...httpd('hello-from-beta')]);
    expect(await waitFor('beta by name from alpha', () => c.sb.run(['exec', 'alpha', 'wget', '-qO-', 'http://beta/']).then((r) => (r.code === 0 ? r.stdout : undefined)), 10_000)).toBe('hello-from-beta\n');
    // --network-alias: more names for beta on the user network.
    expect(await c.ok(['exec', 'alpha', 'wget', '-qO-', 'http://web/'])).toBe('hello-from-beta\n');
    expect(await c.ok(['exec', 'alpha', 'wget', '-qO-', 'http://www.example/'])).toBe('hello-from-beta\n');
    expect(JSON.parse(await c.ok(['inspect', '-f', '{{json .NetworkSettings.Networks.testnet.Aliases}}', 'beta']))).toEqual(['web', 'www.example']);
    const onBridge = await c.run(['run', '--rm', '--network-alias', 'x', IMG, 'true']);
    expect(onBridge.code).toBe(125);
    expect(onBridge.stderr).toContain('network-scoped alias is supported only for containers in user defined networks');
    const ping = await c.run(['exec', 'beta', 'ping', '-c1', '-W2', 'alpha']);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect(lines(await c.ok(['exec', 'alpha', 'cat', '/etc/hosts'])).some((l) => /^10\.100\.\d+\.\d+\tbeta /.test(l))).toBe(true);

    const inUse = await c.run(['network', 'rm', 'testnet']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('has active endpoints');
    const containers = JSON.parse(await c.ok(['network', 'inspect', '--format', '{{json .Containers}}', 'testnet'])) as Record<string, { Name: string }>;
    expect(Object.values(containers).map((x) => x.Name).sort()).toEqual(['alpha', 'beta']);

    // beta stops: alpha's hosts file forgets it; it starts again: alpha learns its (new) address.
    await c.ok(['stop', '-t', '1', 'beta']);
    expect(await c.ok(['exec', 'alpha', 'cat', '/etc/hosts'])).not.toMatch(/\tbeta /);
    await c.ok(['start', 'beta']);
    expect(await c.ok(['exec', 'alpha', 'cat', '/etc/hosts'])).toMatch(/\tbeta /);

    // connect/disconnect of a running container: a second interface, then gone again.
    await c.ok(['network', 'connect', 'bridge', 'alpha']);
    const ifaces = (out: string) => lines(out).map((l) => l.split(/\s+/)[1]).filter((n) => n !== 'lo').sort();
    expect(ifaces(await c.ok(['exec', 'alpha', 'ip', '-o', '-4', 'addr']))).toEqual(['eth0', 'eth1']);
    await c.ok(['network', 'disconnect', 'bridge', 'alpha']);
    expect(ifaces(await c.ok(['exec', 'alpha', 'ip', '-o', '-4', 'addr']))).toEqual(['eth0']);

    await c.ok(['rm', '-f', 'alpha', 'beta']);
    expect(await c.ok(['network', 'rm', 'testnet'])).toBe('testnet\n');
    expect(await linkExists(bridge)).toBe(false);
    const predefined = await c.run(['network', 'rm', 'bridge']);
    expect(predefined.stderr).toContain('bridge is a pre-defined network and cannot be removed');
    // prune removes unused user networks only.
    await c.ok(['network', 'create', 'unused']);
    expect(await c.ok(['network', 'prune', '-f'])).toBe('Deleted Networks:\nunused\n');
  });
});

describe('--ip on a user network', () => {
  it('takes the asked address; refuses one outside the subnet, on the default bridge, or already taken', async () => {
    await c.ok(['network', 'create', '--subnet', '10.123.45.0/24', 'ipnet']);
    const netId = (await c.ok(['network', 'inspect', '-f', '{{.Id}}', 'ipnet'])).trim();
    userBridges.add(`tsbr-${netId.slice(0, 10)}`);
    await runD(['--name', 'fixed', '--network', 'ipnet', '--ip', '10.123.45.77', IMG, 'sleep', '300']);
    expect((await c.ok(['exec', 'fixed', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).split(/\s+/)[3]).toBe('10.123.45.77/24');
    expect((await c.ok(['inspect', '-f', '{{.NetworkSettings.Networks.ipnet.IPAddress}} {{json .NetworkSettings.Networks.ipnet.IPAMConfig}}', 'fixed'])).trim()).toBe('10.123.45.77 {"IPv4Address":"10.123.45.77"}');
    const outside = await c.run(['run', '--rm', '--network', 'ipnet', '--ip', '10.9.9.9', IMG, 'true']);
    expect(outside.code).toBe(125);
    expect(outside.stderr).toContain("Invalid address 10.9.9.9: It does not belong to any of this network's subnets");
    const onBridge = await c.run(['run', '--rm', '--ip', '10.99.0.50', IMG, 'true']);
    expect(onBridge.code).toBe(125);
    expect(onBridge.stderr).toContain('user specified IP address is supported only when connecting to networks with user configured subnets');
    const taken = await c.run(['run', '--rm', '--network', 'ipnet', '--ip', '10.123.45.77', IMG, 'true']);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('Address already in use: 10.123.45.77 is taken on network ipnet');
    await c.ok(['rm', '-f', 'fixed']);
    expect(await c.ok(['network', 'rm', 'ipnet'])).toBe('ipnet\n');
  });
});

describe('teardown', () => {
  it('50 run --rm -p cycles leave veths, iptables rules, IPAM leases and netns as they were', async () => {
    const port = await freePort();
    // One cycle first: the plugins' shared chains (CNI-HOSTPORT-*, CNI-FORWARD) stay, as Docker's do.
    await c.ok(['run', '--rm', '-p', `127.0.0.1:${port}:80`, IMG, 'true']);
    const measure = async () => ({ veths: await vethCount(), iptables: (await iptablesSave()).length, leases: (await leaseFiles('tsdock0')).length, netns: (await netnsList()).length });
    const before = await measure();
    for (let i = 0; i < 50; i++) {
      const spec = i % 2 ? `127.0.0.1:${port}:80` : '127.0.0.1::80';
      const r = await c.run(['run', '--rm', '-p', spec, IMG, 'true']);
      expect(r.code, r.stderr).toBe(0);
    }
    const after = await measure();
    console.log(`network cycle check: before ${JSON.stringify(before)} after ${JSON.stringify(after)}`);
    expect(after).toEqual(before);
    expect(await c.ok(['ps', '-aq'])).toBe('');
  }, 300_000);

  it('a tsdock killed during a foreground run: the next command tears the network down', async () => {
    const port = await freePort();
    const child = spawn(TSDOCK_BIN, ['run', '--name', 'killed', '-p', `127.0.0.1:${port}:80`, IMG, 'sleep', '2'], { env: c.sb.env, stdio: 'ignore' });
    const closed = new Promise((r) => child.once('close', r));
    const id = await waitFor('the container to run', async () => (await c.sb.run(['ps', '-q', '--no-trunc', '-f', 'name=^killed$'])).stdout.trim() || undefined, 20_000);
    ids.add(id);
    expect(await netnsList()).toContain(`tsdock-${id.slice(0, 12)}`);
    child.kill('SIGKILL');
    await closed;
    // The container outlives tsdock; once it exited, any command reconciles and cleans up.
    for (let i = 0; i < 100 && (await c.inspect('killed')).State.Status === 'running'; i++) await sleep(100);
    expect((await c.inspect('killed')).State.Status).toBe('exited');
    expect(await leftoversOf([id])).toEqual([]);
    await c.ok(['rm', 'killed']);
  });

  it('a tsdock killed during rm -f: the next rm finishes the network teardown', async () => {
    for (const delay of [50, 150, 300]) {
      const name = `rmkill${delay}`;
      const id = await runD(['--name', name, '-p', '127.0.0.1::80', IMG, 'sleep', '300']);
      const child = spawn(TSDOCK_BIN, ['rm', '-f', name], { env: c.sb.env, stdio: 'ignore' });
      const closed = new Promise((r) => child.once('close', r));
      await sleep(delay);
      child.kill('SIGKILL');
      await closed;
      const again = await c.run(['rm', '-f', name]);
      expect([0, 1]).toContain(again.code);
      expect(await c.ok(['ps', '-aq', '-f', `name=^${name}$`])).toBe('');
      expect(await leftoversOf([id])).toEqual([]);
    }
  });

  it('an attachment whose container is gone is collected by the next command', async () => {
    const fake = 'f'.repeat(64);
    const ns = `tsdock-${fake.slice(0, 12)}`;
    await execFileP('ip', ['netns', 'add', ns]);
    const dir = join(c.sb.root, 'networks', 'attachments');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${fake}.json`), JSON.stringify({ containerId: fake, containerName: 'ghost', hostname: 'ghost', netns: ns, netnsPath: `/run/netns/${ns}`, created: new Date().toISOString(), addHosts: [], ports: [], endpoints: [] }));
    await c.ok(['ps']);
    expect(await netnsList()).not.toContain(ns);
    expect(await readdir(dir)).toEqual([]);
  });
});
