import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultFromLease } from '../../src/core/network/ipam-lease.js';
import { bridgeConfList } from '../../src/core/network/network-record.js';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-lease-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const list = () => bridgeConfList({ name: 'front', id: 'f'.repeat(64), driver: 'bridge', created: '', subnet: '10.100.7.0/24', gateway: '10.100.7.1', bridge: 'tsbr-x', labels: {} }, dir);

describe('resultFromLease (DEL after an ADD cut short)', () => {
  it('builds the prevResult from the address host-local leased to the container interface', async () => {
    const leases = join(dir, 'tsbr-x', 'front');
    await mkdir(leases, { recursive: true });
    await writeFile(join(leases, '10.100.7.5'), `${OTHER}\r\neth0`);
    await writeFile(join(leases, '10.100.7.9'), `${ID}\r\neth1`);
    await writeFile(join(leases, '10.100.7.8'), `${ID}\r\neth0`);
    await writeFile(join(leases, 'last_reserved_ip.0'), '10.100.7.9');
    await writeFile(join(leases, 'lock'), '');
    expect(await resultFromLease(list(), ID, 'eth0')).toEqual({
      cniVersion: '1.0.0',
      interfaces: [{ name: 'eth0' }],
      ips: [{ address: '10.100.7.8/24', gateway: '10.100.7.1', interface: 0 }],
    });
    expect((await resultFromLease(list(), ID, 'eth1'))?.ips?.[0]?.address).toBe('10.100.7.9/24');
  });

  it('is undefined when no address was leased (ADD killed before IPAM ran) or there is no lease dir', async () => {
    expect(await resultFromLease(list(), ID, 'eth0')).toBeUndefined();
    await mkdir(join(dir, 'tsbr-x', 'front'), { recursive: true });
    await writeFile(join(dir, 'tsbr-x', 'front', '10.100.7.5'), `${OTHER}\r\neth0`);
    expect(await resultFromLease(list(), ID, 'eth0')).toBeUndefined();
  });
});
