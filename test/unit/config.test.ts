import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, type TsdockConfig } from '../../src/core/config.js';
import { isInsecureRegistry } from '../../src/core/registry/registry-config.js';

// Reference: dockerd's daemon.json keys "registry-mirrors", "insecure-registries" and
// "max-concurrent-downloads" (default 3); mirrors are http(s) URLs without credentials,
// query or fragment; localhost / 127.0.0.0/8 / ::1 registries are insecure by default.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(content: unknown): Promise<string> {
  const path = join(dir, 'config.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('returns the defaults when the file is missing', async () => {
    const cfg = await loadConfig(join(dir, 'absent.json'));
    expect(cfg).toEqual({
      'registry-mirrors': [],
      'insecure-registries': [],
      'max-concurrent-downloads': 3,
      'max-concurrent-uploads': 5,
      'upload-chunk-size': 16 << 20,
      keymap: {},
      runtime: '/usr/sbin/runc',
      conmon: '/usr/bin/conmon',
      'init-path': '/usr/bin/catatonit',
    });
  });

  it('throws ConfigError naming the path when the file must exist and does not', async () => {
    const path = join(dir, 'absent.json');
    const p = loadConfig(path, true);
    await expect(p).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(path, true)).rejects.toThrow(`cannot read config file ${path}`);
  });

  it('reads every key of a valid file', async () => {
    const path = await configFile({
      'registry-mirrors': ['http://127.0.0.1:5000', 'https://mirror.gcr.io/'],
      'insecure-registries': ['registry.lan:5000', 'buildhost'],
      'max-concurrent-downloads': 6,
      'max-concurrent-uploads': 2,
      'upload-chunk-size': 1 << 20,
      keymap: { quit: ['q', 'ctrl+c'] },
      runtime: '/opt/runc',
      conmon: '/opt/conmon',
      'init-path': '/opt/tini',
    });
    expect(await loadConfig(path, true)).toEqual({
      'registry-mirrors': ['http://127.0.0.1:5000', 'https://mirror.gcr.io/'],
      'insecure-registries': ['registry.lan:5000', 'buildhost'],
      'max-concurrent-downloads': 6,
      'max-concurrent-uploads': 2,
      'upload-chunk-size': 1 << 20,
      keymap: { quit: ['q', 'ctrl+c'] },
      runtime: '/opt/runc',
      conmon: '/opt/conmon',
      'init-path': '/opt/tini',
    });
  });

  it('fills keys the file leaves out with defaults', async () => {
    const path = await configFile({ 'insecure-registries': ['registry.lan:5000'] });
    const cfg = await loadConfig(path);
    expect(cfg['insecure-registries']).toEqual(['registry.lan:5000']);
    expect(cfg['registry-mirrors']).toEqual([]);
    expect(cfg['max-concurrent-downloads']).toBe(3);
    expect(cfg.keymap).toEqual({});
  });

  it('refuses a relative runtime path', async () => {
    const path = await configFile({ runtime: 'runc' });
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: "runtime" must be an absolute path`);
  });

  it('accepts an empty object', async () => {
    expect(await loadConfig(await configFile({}))).toEqual(defaultConfig());
  });

  it('reports invalid JSON with the file name', async () => {
    const path = await configFile('{ "registry-mirrors": [ }');
    await expect(loadConfig(path)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path} is not valid JSON`);
  });

  it.each<[string, unknown]>([
    ['registry-mirrors', 'http://127.0.0.1:5000'],
    ['registry-mirrors', [5000]],
    ['registry-mirrors', { url: 'http://127.0.0.1:5000' }],
    ['insecure-registries', 'registry.lan:5000'],
    ['insecure-registries', ['ok:5000', null]],
    ['insecure-registries', true],
  ])('refuses %s = %j: it must be a list of strings', async (key, value) => {
    const path = await configFile({ [key]: value });
    await expect(loadConfig(path)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: "${key}" must be a list of strings`);
  });

  it.each<[unknown]>([[0], [-1], [2.5], ['3'], [null], [true]])(
    'refuses max-concurrent-downloads = %j',
    async (value) => {
      const path = await configFile({ 'max-concurrent-downloads': value });
      await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: "max-concurrent-downloads" must be a positive integer`);
    },
  );

  it.each(['max-concurrent-uploads', 'upload-chunk-size'])('refuses a %s that is not a positive integer', async (key) => {
    const path = await configFile({ [key]: 0 });
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: "${key}" must be a positive integer`);
  });

  it('accepts max-concurrent-downloads = 1', async () => {
    expect((await loadConfig(await configFile({ 'max-concurrent-downloads': 1 })))['max-concurrent-downloads']).toBe(1);
  });

  it.each<[unknown]>([['q'], [null], [7]])('refuses keymap = %j: it must be an object', async (value) => {
    const path = await configFile({ keymap: value });
    await expect(loadConfig(path)).rejects.toThrow(`config file ${path}: "keymap" must be an object`);
  });

  it.each([
    'http://127.0.0.1:5000',
    'http://127.0.0.1:5000/',
    'https://mirror.gcr.io',
    'https://mirror.gcr.io/',
    'http://[::1]:5000',
  ])('accepts the mirror URL %s', async (url) => {
    const cfg = await loadConfig(await configFile({ 'registry-mirrors': [url] }));
    expect(cfg['registry-mirrors']).toEqual([url]);
  });

  it.each([
    '127.0.0.1:5000',
    'mirror.gcr.io',
    'ftp://mirror.example',
    'http://',
    'http://user:secret@mirror.example:5000',
    'http://mirror.example:5000?x=1',
    'http://mirror.example:5000#frag',
  ])('refuses the mirror URL %s', async (url) => {
    const path = await configFile({ 'registry-mirrors': [url] });
    await expect(loadConfig(path)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfig(path)).rejects.toThrow(`registry mirror "${url}" must be a URL like http://host:port`);
  });
});

describe('isInsecureRegistry', () => {
  const defaults = defaultConfig();
  const configured: TsdockConfig = { ...defaultConfig(), 'insecure-registries': ['registry.lan:5000', 'buildhost'] };

  it.each(['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000', '127.8.9.1', '127.8.9.1:443', '[::1]', '[::1]:5000'])(
    '%s is plain HTTP without any configuration',
    (domain) => {
      expect(isInsecureRegistry(domain, defaults)).toBe(true);
    },
  );

  it.each(['docker.io', 'registry-1.docker.io', 'ghcr.io', 'quay.io:443', '128.0.0.1:5000', '10.0.0.5:5000', 'localhost.example.com', '[::2]:5000'])(
    '%s is HTTPS by default',
    (domain) => {
      expect(isInsecureRegistry(domain, defaults)).toBe(false);
    },
  );

  it('treats a configured host:port as insecure', () => {
    expect(isInsecureRegistry('registry.lan:5000', configured)).toBe(true);
  });

  it('does not extend a configured host:port to other ports or to the bare host', () => {
    expect(isInsecureRegistry('registry.lan:5001', configured)).toBe(false);
    expect(isInsecureRegistry('registry.lan', configured)).toBe(false);
  });

  it('treats a configured host without port as insecure', () => {
    expect(isInsecureRegistry('buildhost', configured)).toBe(true);
  });

  it('keeps a host that is not listed on HTTPS', () => {
    expect(isInsecureRegistry('registry.example.com', configured)).toBe(false);
    expect(isInsecureRegistry('registry.example.com:5000', configured)).toBe(false);
    expect(isInsecureRegistry('lan:5000', configured)).toBe(false);
  });
});
