import { describe, expect, it } from 'vitest';
import { catalogSupported, knownRegistries, repositoryName } from '../../src/core/registry/known-registries.js';

describe('knownRegistries', () => {
  it('lists Docker Hub, insecure registries, logins and registries of local images once each', () => {
    const list = knownRegistries({ 'insecure-registries': ['reg.lan:5000', '10.0.0.0/8'] }, ['docker.io', 'ghcr.io'], ['busybox', '127.0.0.1:5000/library/busybox', 'reg.lan:5000/app', '<none>']);
    expect(list).toEqual([
      { domain: 'docker.io', sources: ['default', 'login', 'images'] },
      { domain: '127.0.0.1:5000', sources: ['images'] },
      { domain: 'ghcr.io', sources: ['login'] },
      { domain: 'reg.lan:5000', sources: ['insecure', 'images'] },
    ]);
  });

  it('names repositories as the user writes them', () => {
    expect(repositoryName('docker.io', 'library/busybox')).toBe('busybox');
    expect(repositoryName('docker.io', 'grafana/grafana')).toBe('grafana/grafana');
    expect(repositoryName('127.0.0.1:5000', 'library/busybox')).toBe('127.0.0.1:5000/library/busybox');
    expect(catalogSupported('docker.io')).toBe(false);
    expect(catalogSupported('127.0.0.1:5000')).toBe(true);
  });
});
