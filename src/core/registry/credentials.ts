import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../store/atomic-file.js';
import { TsdockError } from '../errors.js';

export interface Credentials {
  username: string;
  password: string;
}

/** Docker stores docker.io logins under this legacy key. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  [other: string]: unknown;
}

/** The user's credentials file cannot be read as Docker's config.json. */
export class CredentialsFileError extends TsdockError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/** Where `docker login` keeps credentials: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
export function defaultCredentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/**
 * Credentials in Docker's config.json format, so logins are shared with docker/podman.
 * Other keys of the file (credHelpers, proxies, ...) are preserved on write.
 */
export class CredentialStore {
  constructor(readonly path: string = defaultCredentialsPath()) {}

  async get(registryDomain: string): Promise<Credentials | undefined> {
    const file = await this.load();
    for (const [key, entry] of Object.entries(file.auths ?? {})) {
      if (authKeyHost(key) !== authKeyHost(keyFor(registryDomain))) continue;
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    }
    return undefined;
  }

  async set(registryDomain: string, creds: Credentials): Promise<void> {
    const file = await this.load();
    const auths = { ...file.auths };
    for (const key of Object.keys(auths)) if (authKeyHost(key) === authKeyHost(keyFor(registryDomain))) delete auths[key];
    auths[keyFor(registryDomain)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
    await this.save({ ...file, auths });
  }

  /** Returns false when there was nothing to remove. */
  async remove(registryDomain: string): Promise<boolean> {
    const file = await this.load();
    const auths = { ...file.auths };
    let found = false;
    for (const key of Object.keys(auths)) {
      if (authKeyHost(key) === authKeyHost(keyFor(registryDomain))) {
        delete auths[key];
        found = true;
      }
    }
    if (found) await this.save({ ...file, auths });
    return found;
  }

  /** Registries the user has logged in to (for the TUI's registry list). */
  async registries(): Promise<string[]> {
    return Object.keys((await this.load()).auths ?? {}).map(authKeyHost);
  }

  private async load(): Promise<DockerConfigFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      return JSON.parse(text) as DockerConfigFile;
    } catch {
      throw new CredentialsFileError(`credentials file ${this.path} is not valid JSON; fix or remove it`);
    }
  }

  private async save(file: DockerConfigFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(this.path, file, 0o600);
  }
}

function keyFor(domain: string): string {
  return domain === 'docker.io' ? DOCKER_HUB_KEY : domain;
}

/** `https://index.docker.io/v1/` and `index.docker.io` name the same registry. */
function authKeyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io' ? 'docker.io' : host;
}
