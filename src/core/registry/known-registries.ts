import type { RegistryConfigKeys } from './registry-config.js';
import { familiarName, parseReference } from '../oci/reference.js';

/** Why a registry is listed: Docker Hub always, the config's insecure ones, logins, local images. */
export type RegistrySource = 'default' | 'insecure' | 'login' | 'images';

export interface KnownRegistry {
  domain: string;
  sources: RegistrySource[];
}

/** Docker Hub refuses `/v2/_catalog`; asking would only cost a round trip and an error. */
export function catalogSupported(domain: string): boolean {
  return domain !== 'docker.io';
}

/** The registry part of an image's repository name (`busybox` -> docker.io). */
export function registryOfRepository(repository: string): string {
  return parseReference(repository).domain;
}

/** A repository as the user writes it: familiar for Docker Hub (`busybox`), else `domain/path`. */
export function repositoryName(domain: string, path: string): string {
  return familiarName(parseReference(`${domain}/${path}`));
}

/**
 * The registries worth showing: docker.io, the config's `insecure-registries`, those with stored
 * credentials and those local images came from, each once (Docker Hub first, then by name).
 */
export function knownRegistries(config: Pick<RegistryConfigKeys, 'insecure-registries'>, loggedIn: readonly string[], imageRepositories: readonly string[]): KnownRegistry[] {
  const byDomain = new Map<string, Set<RegistrySource>>();
  const add = (domain: string, source: RegistrySource) => byDomain.set(domain, (byDomain.get(domain) ?? new Set()).add(source));
  add('docker.io', 'default');
  // insecure-registries may hold CIDRs (10.0.0.0/8): those name no registry to list.
  for (const r of config['insecure-registries']) if (!r.includes('/')) add(r, 'insecure');
  for (const r of loggedIn) add(r, 'login');
  for (const repo of imageRepositories) {
    try {
      add(registryOfRepository(repo), 'images');
    } catch {
      // `<none>` and other names that are no reference.
    }
  }
  return [...byDomain.entries()]
    .map(([domain, sources]) => ({ domain, sources: [...sources] }))
    .sort((a, b) => (a.domain === 'docker.io' ? -1 : b.domain === 'docker.io' ? 1 : a.domain.localeCompare(b.domain)));
}
