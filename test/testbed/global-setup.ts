// vitest globalSetup of the `integration` project: builds (or reuses) the fixture images,
// starts three registries on 127.0.0.1 (open, basic, token), pushes the fixtures and provides
// the resulting `Testbed` to the test files (read it with getTestbed() from ./testbed.js).
// Set TSDOCK_TESTBED_BIG=1 to also build and push the ~130 MB `big` image (library/big:latest).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  buildFixtures,
  fixtureCacheDir,
  pushFixtureTo,
  registryInfo,
  startRegistry,
  type FixtureName,
  type PushedImage,
  type PushFormat,
  type RegistryHandle,
  type RegistryMode,
} from './control.js';
import type { Testbed } from './testbed.js';
import { restoreHostNetwork, snapshotHostNetwork } from '../helpers/network.js';

interface PushSpec {
  registry: RegistryMode;
  fixture: FixtureName;
  tag: string;
  dest: string;
  format: PushFormat;
}

const PUSHES: PushSpec[] = [
  { registry: 'open', fixture: 'busybox', tag: 'latest', dest: 'library/busybox:latest', format: 'oci' },
  { registry: 'open', fixture: 'busybox', tag: '1.36', dest: 'library/busybox:1.36', format: 'oci' },
  { registry: 'open', fixture: 'layered', tag: 'v1', dest: 'layered:v1', format: 'oci' },
  { registry: 'open', fixture: 'multiarch', tag: 'latest', dest: 'multiarch:latest', format: 'oci' },
  { registry: 'open', fixture: 'busybox', tag: 'latest', dest: 'docker/busybox:latest', format: 'v2s2' },
  { registry: 'open', fixture: 'multiarch', tag: 'latest', dest: 'docker/multiarch:latest', format: 'v2s2' },
  { registry: 'open', fixture: 'layered', tag: 'v1', dest: 'docker/layered:v1', format: 'v2s2' },
  { registry: 'basic', fixture: 'busybox', tag: 'latest', dest: 'private/busybox:latest', format: 'oci' },
  { registry: 'token', fixture: 'busybox', tag: 'latest', dest: 'secure/busybox:latest', format: 'oci' },
];

const log = (msg: string) => process.stderr.write(`[testbed] ${msg}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = performance.now();
  // Containers get bridge networking: the CNI plugins' shared chains and tsdock0 that the run
  // creates are removed again at the end when nothing uses them any more.
  const hostNetwork = await snapshotHostNetwork();
  const withBig = process.env.TSDOCK_TESTBED_BIG === '1';
  const cacheDir = fixtureCacheDir();
  const fixturesRebuilt = await buildFixtures(cacheDir, withBig ? ['big'] : []);
  const t1 = performance.now();

  const tempDir = await mkdtemp(join(tmpdir(), 'tsdock-testbed-'));
  const modes: RegistryMode[] = ['open', 'basic', 'token'];
  const started = await Promise.allSettled(modes.map((m) => startRegistry(m, { stateDir: join(tempDir, m) })));
  const handles = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const teardown = async () => {
    await Promise.all(handles.map((h) => h.stop()));
    await rm(tempDir, { recursive: true, force: true });
    await restoreHostNetwork(hostNetwork).catch((err) => console.warn(`[testbed] host network not restored: ${(err as Error).message}`));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  const regs = Object.fromEntries(modes.map((m, i) => [m, handles[i]])) as Record<RegistryMode, RegistryHandle>;
  const t2 = performance.now();

  let pushed: PushedImage[];
  try {
    const specs = withBig
      ? [...PUSHES, { registry: 'open', fixture: 'big', tag: 'latest', dest: 'library/big:latest', format: 'oci' } as const]
      : PUSHES;
    // Pushes to one repository run in order (they share blobs and tags); repositories in parallel.
    const byRepo = new Map<string, PushSpec[]>();
    for (const s of specs) {
      const key = `${s.registry}/${s.dest.slice(0, s.dest.lastIndexOf(':'))}`;
      byRepo.set(key, [...(byRepo.get(key) ?? []), s]);
    }
    const results = new Map<PushSpec, PushedImage>();
    await Promise.all(
      [...byRepo.values()].map(async (group) => {
        for (const s of group) {
          results.set(s, await pushFixtureTo(cacheDir, regs[s.registry], s.fixture, s.tag, s.dest, s.format));
        }
      }),
    );
    pushed = specs.map((s) => results.get(s)!);
  } catch (err) {
    await teardown();
    throw err;
  }
  const t3 = performance.now();

  const info: Testbed = {
    fixturesDir: cacheDir,
    fixtures: {
      busybox: join(cacheDir, 'busybox'),
      layered: join(cacheDir, 'layered'),
      multiarch: join(cacheDir, 'multiarch'),
      ...(withBig ? { big: join(cacheDir, 'big') } : {}),
    },
    tempDir,
    registries: {
      open: registryInfo(regs.open),
      basic: registryInfo(regs.basic),
      token: registryInfo(regs.token),
    },
    tokenServer: regs.token.tokenServer!,
    pushed,
    timings: {
      fixturesMs: Math.round(t1 - t0),
      fixturesRebuilt,
      registriesMs: Math.round(t2 - t1),
      pushMs: Math.round(t3 - t2),
      totalMs: Math.round(t3 - t0),
    },
  };
  project.provide('testbed', info);
  log(
    `fixtures ${fixturesRebuilt ? 'built' : 'cached'} ${secs(t1 - t0)}, registries ${secs(t2 - t1)}, ` +
      `${pushed.length} pushes ${secs(t3 - t2)}, total ${secs(t3 - t0)} (cache ${cacheDir})`,
  );
  return teardown;
}
