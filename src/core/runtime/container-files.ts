import type { NetworkMode } from './container-record.js';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf that are bind-mounted in,
 * so each container has its own and the image's files stay untouched.
 */
export async function writeContainerEtcFiles(paths: { hosts: string; hostname: string; resolvConf: string }, hostname: string, network: NetworkMode): Promise<void> {
  if (network === 'host') {
    // A host without /etc/hosts: the container gets the localhost lines.
    await writeFile(paths.hosts, await readFile('/etc/hosts', 'utf8').catch(() => localhostHosts('')));
    await writeFile(paths.hostname, `${hostname}\n`);
  } else {
    await writeFile(paths.hosts, localhostHosts(hostname));
    await writeFile(paths.hostname, `${hostname}\n`);
  }
  // A host without resolv.conf: the container gets the default nameservers.
  await writeFile(paths.resolvConf, containerResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''), network));
}

function localhostHosts(hostname: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    ...(hostname ? [`127.0.0.1\t${hostname}`] : []),
    '',
  ].join('\n');
}

/**
 * The host's resolv.conf with loopback nameservers dropped (they would point into the
 * container's own netns), as Docker does; host networking keeps it as it is.
 */
export function containerResolvConf(host: string, network: NetworkMode): string {
  if (network === 'host') return host;
  const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$|::1$)/.test(l));
  return lines.join('\n').replace(/\n*$/, '\n');
}
