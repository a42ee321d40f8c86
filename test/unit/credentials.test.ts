import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore, CredentialsFileError, defaultCredentialsPath } from '../../src/core/registry/credentials.js';

// Reference: Docker's ~/.docker/config.json ("auths" map of registry -> {"auth": base64("user:pass")},
// docker.io stored under "https://index.docker.io/v1/", file mode 0600, other keys preserved).

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-creds-'));
  path = join(dir, 'config.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8')) as Record<string, any>;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('CredentialStore', () => {
  it('returns nothing when the file does not exist', async () => {
    const store = new CredentialStore(path);
    expect(await store.get('registry.example')).toBeUndefined();
    expect(await store.registries()).toEqual([]);
  });

  it('round-trips set, get and remove', async () => {
    const store = new CredentialStore(path);
    await store.set('registry.example:5000', { username: 'alice', password: 's3cret' });
    expect(await store.get('registry.example:5000')).toEqual({ username: 'alice', password: 's3cret' });
    expect(await store.remove('registry.example:5000')).toBe(true);
    expect(await store.get('registry.example:5000')).toBeUndefined();
    expect((await readJson(path)).auths).toEqual({});
  });

  it('stores the login as base64 "user:password" under the registry key', async () => {
    await new CredentialStore(path).set('registry.example:5000', { username: 'alice', password: 's3cret' });
    expect(await readJson(path)).toEqual({ auths: { 'registry.example:5000': { auth: 'YWxpY2U6czNjcmV0' } } });
  });

  it('writes the file with mode 0600', async () => {
    await new CredentialStore(path).set('registry.example', { username: 'u', password: 'p' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('creates a missing parent directory', async () => {
    const nested = join(dir, 'home', '.docker', 'config.json');
    await new CredentialStore(nested).set('registry.example', { username: 'u', password: 'p' });
    expect(await new CredentialStore(nested).get('registry.example')).toEqual({ username: 'u', password: 'p' });
  });

  it('leaves no temp file behind', async () => {
    await new CredentialStore(path).set('registry.example', { username: 'u', password: 'p' });
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('keeps docker.io under https://index.docker.io/v1/ and finds it via docker.io', async () => {
    const store = new CredentialStore(path);
    await store.set('docker.io', { username: 'hubuser', password: 'hubpass' });
    expect(Object.keys((await readJson(path)).auths)).toEqual(['https://index.docker.io/v1/']);
    expect(await store.get('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await store.registries()).toEqual(['docker.io']);
  });

  it('finds a login written by `docker login` for Docker Hub', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:tok') } } }));
    expect(await new CredentialStore(path).get('docker.io')).toEqual({ username: 'hubuser', password: 'tok' });
  });

  it('replaces an older docker.io entry instead of adding a second one', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'index.docker.io': { auth: b64('old:old') } } }));
    const store = new CredentialStore(path);
    await store.set('docker.io', { username: 'new', password: 'new' });
    expect((await readJson(path)).auths).toEqual({ 'https://index.docker.io/v1/': { auth: b64('new:new') } });
    expect(await store.get('docker.io')).toEqual({ username: 'new', password: 'new' });
  });

  it('preserves the other keys of an existing Docker config.json', async () => {
    const existing = {
      auths: { 'ghcr.io': { auth: b64('gh:token') } },
      credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
      psFormat: 'table {{.ID}}\\t{{.Names}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
    };
    await writeFile(path, JSON.stringify(existing));
    await new CredentialStore(path).set('registry.example', { username: 'u', password: 'p' });
    expect(await readJson(path)).toEqual({
      auths: { 'ghcr.io': { auth: b64('gh:token') }, 'registry.example': { auth: b64('u:p') } },
      credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
      psFormat: 'table {{.ID}}\\t{{.Names}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
    });
  });

  it('preserves other keys on remove too', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'ghcr.io': { auth: b64('gh:token') } }, credsStore: 'desktop' }));
    expect(await new CredentialStore(path).remove('ghcr.io')).toBe(true);
    expect(await readJson(path)).toEqual({ auths: {}, credsStore: 'desktop' });
  });

  it('splits the decoded auth at the first colon, so passwords may contain ":"', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'registry.example': { auth: b64('bob:pa:ss:word') } } }));
    expect(await new CredentialStore(path).get('registry.example')).toEqual({ username: 'bob', password: 'pa:ss:word' });
  });

  it('round-trips a password with ":" and non-ASCII characters', async () => {
    const store = new CredentialStore(path);
    await store.set('registry.example', { username: 'zoë', password: 'a:b:ç' });
    expect(await store.get('registry.example')).toEqual({ username: 'zoë', password: 'a:b:ç' });
  });

  it('falls back to separate username/password fields', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'registry.example': { username: 'carol', password: 'pw' } } }));
    expect(await new CredentialStore(path).get('registry.example')).toEqual({ username: 'carol', password: 'pw' });
  });

  it('matches entries keyed by URL to the bare registry host', async () => {
    await writeFile(path, JSON.stringify({ auths: { 'https://registry.example:5000': { auth: b64('dan:pw') } } }));
    expect(await new CredentialStore(path).get('registry.example:5000')).toEqual({ username: 'dan', password: 'pw' });
  });

  it('does not confuse registries that differ only by port', async () => {
    const store = new CredentialStore(path);
    await store.set('registry.example:5000', { username: 'a', password: '1' });
    expect(await store.get('registry.example:5001')).toBeUndefined();
    expect(await store.get('registry.example')).toBeUndefined();
  });

  it('remove returns false when there is no such login', async () => {
    const store = new CredentialStore(path);
    expect(await store.remove('registry.example')).toBe(false);
    await store.set('other.example', { username: 'u', password: 'p' });
    const before = await readFile(path, 'utf8');
    expect(await store.remove('registry.example')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('throws CredentialsFileError for a file that is not JSON', async () => {
    await writeFile(path, '{"auths": {');
    const store = new CredentialStore(path);
    await expect(store.get('registry.example')).rejects.toBeInstanceOf(CredentialsFileError);
    await expect(store.set('registry.example', { username: 'u', password: 'p' })).rejects.toThrow(
      `credentials file ${path} is not valid JSON`,
    );
    expect(await readFile(path, 'utf8')).toBe('{"auths": {');
  });
});

describe('defaultCredentialsPath', () => {
  it('uses $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set', () => {
    expect(defaultCredentialsPath({ DOCKER_CONFIG: '/srv/docker-cfg' })).toBe('/srv/docker-cfg/config.json');
  });

  it('uses ~/.docker/config.json otherwise', () => {
    expect(defaultCredentialsPath({})).toBe(join(homedir(), '.docker', 'config.json'));
    expect(defaultCredentialsPath({ DOCKER_CONFIG: '' })).toBe(join(homedir(), '.docker', 'config.json'));
  });
});
