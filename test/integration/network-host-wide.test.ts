// Host ports and subnets are host-wide: two stores (different TSDOCK_ROOT) on one host never
// publish the same host port twice (the other store's DNAT rule holds no socket), and never give
// their user networks overlapping subnets, even before a network's bridge exists. Traffic goes
// only to 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, waitFor, type ContainerSandbox } from '../helpers/containers.js';
import { freePort, IPAM_DIR, iptablesSave, linkExists, restoreHostNetwork, snapshotHostNetwork, type HostNetworkState } from '../helpers/network.js';

const execFileP = promisify(execFile);
let a: ContainerSandbox;
let b: ContainerSandbox;
let hostBefore: HostNetworkState;
const userBridges = new Set<string>();

/** busybox httpd serving `text` at / on port 80 of the container. */
const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.text();
}

/** `network create` in a sandbox; returns the subnet it got (and remembers the bridge for the leak check). */
async function createNetwork(s: ContainerSandbox, args: string[]): Promise<string> {
  const id = (await s.ok(['network', 'create', ...args])).trim();
  userBridges.add(`tsbr-${id.slice(0, 10)}`);
  const [cfg] = JSON.parse(await s.ok(['network', 'inspect', '--format', '{{json .IPAM.Config}}', id])) as { Subnet: string }[];
  return cfg!.Subnet;
}

/** Host-wide subnet reservations that name one of the two stores. */
async function reservationsOfSandboxes(): Promise<string[]> {
  const dir = join(IPAM_DIR, '.subnets');
  const found: string[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const text = await readFile(join(dir, f), 'utf8').catch(() => '');
    if (text.includes(a.sb.root) || text.includes(b.sb.root)) found.push(f);
  }
  return found;
}

beforeAll(async () => {
  hostBefore = await snapshotHostNetwork();
  a = await makeContainerSandbox(getTestbed());
  b = await makeContainerSandbox(getTestbed());
});

afterAll(async () => {
  for (const s of [a, b]) {
    if (!s) continue;
    await s.removeAll();
    for (const n of (await s.ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter((x) => x && !['bridge', 'host', 'none'].includes(x))) await s.ok(['network', 'rm', n]);
  }
  expect(await reservationsOfSandboxes(), 'subnet reservations left behind').toEqual([]);
  await a?.cleanup();
  await b?.cleanup();
  for (const br of userBridges) expect(await linkExists(br), `bridge ${br} left behind`).toBe(false);
  await restoreHostNetwork(hostBefore);
});

describe('two stores on one host', () => {
  it('the second cannot publish a host port the first one publishes (its DNAT rule holds no socket): exit 125, Docker\'s message', async () => {
    const port = await freePort();
    const webId = (await a.ok(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, a.image, ...httpd('from-a')])).trim();
    expect(await waitFor('httpd of store A', () => get(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000)).toBe('from-a\n');
    // Nothing listens on the port: only portmap's DNAT rule maps it.
    expect((await iptablesSave()).some((r) => r.includes(`--dport ${port} -j DNAT`))).toBe(true);

    const clash = await b.run(['run', '-d', '--name', 'clash', '-p', `127.0.0.1:${port}:80`, b.image, ...httpd('from-b')]);
    expect(clash.code).toBe(125);
    expect(clash.stderr).toContain(`Bind for 127.0.0.1:${port} failed: port is already allocated`);
    expect((await b.inspect('clash')).State.Status).toBe('created');
    const every = await b.run(['run', '-d', '--name', 'clash-all', '-p', `${port}:80`, b.image, ...httpd('from-b')]);
    expect(every.code).toBe(125);
    expect(every.stderr).toContain(`Bind for 0.0.0.0:${port} failed: port is already allocated`);
    // Store A's container still answers: B took nothing over.
    expect(await get(`http://127.0.0.1:${port}/`)).toBe('from-a\n');
    await b.ok(['rm', 'clash', 'clash-all']);

    // Another protocol on the same port is free, and once A's container is gone B may take the port.
    await b.ok(['run', '-d', '--name', 'udp', '-p', `127.0.0.1:${port}:80/udp`, b.image, 'sleep', '300']);
    await a.ok(['rm', '-f', webId]);
    await b.ok(['run', '-d', '--name', 'web-b', '-p', `127.0.0.1:${port}:80`, b.image, ...httpd('from-b')]);
    expect(await waitFor('httpd of store B', () => get(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000)).toBe('from-b\n');
    await b.ok(['rm', '-f', 'udp', 'web-b']);
    expect((await iptablesSave()).some((r) => r.includes(`--dport ${port} `))).toBe(false);
  });

  it('user networks get different subnets; a --subnet another store or the host uses is refused', async () => {
    // No container runs on them: their bridges do not exist yet, the host has no route for them.
    const subnetA = await createNetwork(a, ['net-a']);
    const subnetB = await createNetwork(b, ['net-b']);
    expect(subnetA).toMatch(/^10\.100\.\d+\.0\/24$/);
    expect(subnetB).toMatch(/^10\.100\.\d+\.0\/24$/);
    expect(subnetB).not.toBe(subnetA);

    // A reboot empties /run and the host-wide reservations with it: the store registers its
    // networks again at its next network create (or container start on them).
    const netAId = (await a.ok(['network', 'inspect', '-f', '{{.Id}}', 'net-a'])).trim();
    await rm(join(IPAM_DIR, '.subnets', `tsbr-${netAId.slice(0, 10)}.json`));
    await createNetwork(a, ['net-a2']);
    const same = await b.run(['network', 'create', '--subnet', subnetA, 'net-b2']);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain('Pool overlaps with other one on this address space');
    expect(same.stderr).toContain(`network net-a of the store ${a.sb.root}`);
    expect(await b.ok(['network', 'ls', '-q', '-f', 'name=net-b2'])).toBe('');
    // An address of the host (loopback), and a route of the host when it has one besides the default.
    const lo = await b.run(['network', 'create', '--subnet', '127.0.0.0/16', 'net-lo']);
    expect(lo.code).toBe(1);
    expect(lo.stderr).toContain('Pool overlaps with other one on this address space (an address of the host (127.0.0.1/8 on lo)');
    const routes = JSON.parse((await execFileP('ip', ['-j', '-4', 'route', 'show'])).stdout) as { dst: string; dev: string }[];
    const route = routes.find((r) => r.dst !== 'default' && r.dst.includes('/') && !/^(tsbr-|tsdock)/.test(r.dev));
    if (route) {
      const onRoute = await b.run(['network', 'create', '--subnet', route.dst, 'net-route']);
      expect(onRoute.code).toBe(1);
      expect(onRoute.stderr).toContain('Pool overlaps with other one on this address space');
    }

    // A's network in use (its bridge now exists): still refused in B; removed in A: B may take it.
    await a.ok(['run', '-d', '--name', 'on-a', '--network', 'net-a', a.image, 'sleep', '300']);
    expect((await b.run(['network', 'create', '--subnet', subnetA, 'net-b2'])).code).toBe(1);
    await a.ok(['rm', '-f', 'on-a']);
    expect(await a.ok(['network', 'rm', 'net-a'])).toBe('net-a\n');
    expect(await createNetwork(b, ['--subnet', subnetA, 'net-b2'])).toBe(subnetA);

    // A store deleted without `network rm` holds no subnet: its reservation is stale.
    const stale = await createNetwork(a, ['--subnet', '10.123.46.0/24', 'net-gone']);
    await rm(join(a.sb.root, 'networks', 'net-gone.json'));
    expect(await createNetwork(b, ['--subnet', stale, 'net-b3'])).toBe(stale);
  });
});
