import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostSubnetRegistry, type SubnetReservation } from '../../src/core/network/host-subnets.js';

let dir: string;
let registry: HostSubnetRegistry;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-subnets-'));
  registry = new HostSubnetRegistry(join(dir, 'ipam'));
  await mkdir(join(dir, 'store', 'networks'), { recursive: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A network record of the store in `dir`, and its reservation. */
async function network(name: string, id: string, subnet: string): Promise<SubnetReservation> {
  const record = join(dir, 'store', 'networks', `${name}.json`);
  await writeFile(record, JSON.stringify({ name, id, subnet }));
  return { subnet, bridge: `tsbr-${id.slice(0, 10)}`, network: name, networkId: id, record };
}

describe('HostSubnetRegistry', () => {
  it('keeps the reservations whose network record still exists, and drops stale and unreadable ones', async () => {
    const kept = await network('kept', 'a'.repeat(64), '10.100.0.0/24');
    const gone = await network('gone', 'b'.repeat(64), '10.100.1.0/24');
    const recreated = await network('recreated', 'c'.repeat(64), '10.100.2.0/24');
    await registry.withLock(async () => {
      for (const r of [kept, gone, recreated]) await registry.reserve(r);
      await writeFile(join(registry.dir, 'tsbr-broken.json'), '{"subn');
    });
    expect(await registry.has(gone.bridge)).toBe(true);
    await rm(gone.record);
    // A network of the same name made again is another network (another ID): its old reservation is stale.
    await writeFile(recreated.record, JSON.stringify({ name: 'recreated', id: 'd'.repeat(64) }));
    expect(await registry.withLock(() => registry.reservations())).toEqual([kept]);
    expect((await readdir(registry.dir)).sort()).toEqual([`${kept.bridge}.json`]);
  });

  it('release removes the reservation, and the directory once it is empty', async () => {
    const r = await network('n', 'e'.repeat(64), '10.100.3.0/24');
    await registry.withLock(() => registry.reserve(r));
    await registry.withLock(() => registry.release(r.bridge));
    expect(await registry.has(r.bridge)).toBe(false);
    expect(await readdir(join(dir, 'ipam'))).toEqual([]);
    // Releasing what is not reserved is fine.
    await registry.withLock(() => registry.release(r.bridge));
  });
});
