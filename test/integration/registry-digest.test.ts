// RegistryClient.manifestDigest (HEAD of a manifest) and catalog against the test bed's real
// registries: the digest must be the one the fixture was pushed with, the top one for an index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed, type Testbed } from '../testbed/testbed.js';
import { RegistryClient } from '../../src/core/registry/registry-client.js';
import { CredentialStore } from '../../src/core/registry/credentials.js';
import { defaultConfig } from '../../src/core/config.js';

let tb: Testbed;
let dir: string;
let creds: CredentialStore;
beforeAll(async () => {
  tb = getTestbed();
  dir = await mkdtemp(join(tmpdir(), 'tsdock-digest-'));
  creds = new CredentialStore(join(dir, 'config.json'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const pushed = (registry: string, repo: string, tag: string) => tb.pushed.find((p) => p.registry === registry && p.repo === repo && p.tag === tag)!;

describe('manifestDigest', () => {
  it('is the pushed digest of a manifest and of an index', async () => {
    const reg = tb.registries.open.addr;
    const client = new RegistryClient(reg, defaultConfig(), creds);
    expect(await client.manifestDigest('library/busybox', 'latest')).toBe(pushed(reg, 'library/busybox', 'latest').digest);
    const index = pushed(reg, 'multiarch', 'latest');
    expect(index.manifests?.length).toBeGreaterThan(1);
    expect(await client.manifestDigest('multiarch', 'latest')).toBe(index.digest);
    // The same digest GET + hash gives: what pull records in repoDigests.
    expect((await client.getManifest('multiarch', 'latest')).digest).toBe(index.digest);
  });

  it('uses stored credentials on a registry that needs them', async () => {
    const basic = tb.registries.basic;
    const anonymous = new RegistryClient(basic.addr, defaultConfig(), creds);
    await expect(anonymous.manifestDigest('private/busybox', 'latest')).rejects.toThrow(/unauthorized/);
    const client = new RegistryClient(basic.addr, defaultConfig(), creds, basic.credentials!);
    expect(await client.manifestDigest('private/busybox', 'latest')).toBe(pushed(basic.addr, 'private/busybox', 'latest').digest);
  });

  it('says which tag or repository does not exist', async () => {
    const client = new RegistryClient(tb.registries.open.addr, defaultConfig(), creds);
    await expect(client.manifestDigest('library/busybox', 'nosuchtag')).rejects.toThrow(/manifest for .*library\/busybox:nosuchtag not found/);
    await expect(client.manifestDigest('nosuch/repo', 'latest')).rejects.toThrow(/repository .*nosuch\/repo not found/);
  });

  it('catalog lists the pushed repositories', async () => {
    const client = new RegistryClient(tb.registries.open.addr, defaultConfig(), creds);
    const repos = await client.catalog();
    expect(repos).toEqual(expect.arrayContaining(['library/busybox', 'layered', 'multiarch', 'docker/busybox']));
  });
});
