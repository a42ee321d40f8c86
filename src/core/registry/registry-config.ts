// The registry keys of tsdock's config file (named as in Docker's daemon.json) and what they
// decide: which registries are spoken to over plain HTTP, which mirrors stand in for Docker Hub.
// config.ts's TsdockConfig extends them; the registry client needs nothing else of the config.

export interface RegistryConfigKeys {
  /** Tried in order before registry-1.docker.io for docker.io images, e.g. "http://127.0.0.1:5000". */
  'registry-mirrors': string[];
  /** Registries spoken to over plain HTTP (besides localhost/127.0.0.0/8/::1, which always are). */
  'insecure-registries': string[];
}

/** localhost, 127.0.0.0/8 and ::1 are plain HTTP, as Docker treats them insecure by default. */
export function isInsecureRegistry(domain: string, cfg: Pick<RegistryConfigKeys, 'insecure-registries'>): boolean {
  const host = domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return true;
  return cfg['insecure-registries'].some((r) => r === domain || r === host);
}
