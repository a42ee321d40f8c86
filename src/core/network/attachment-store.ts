// A container's network attachments (CNI's word): its netns, one endpoint per network with the
// exact conflist and capability arguments ADD ran with and the cached ADD result (DEL and
// CHECK need both), and the host ports it publishes. Stored in <root>/networks/attachments/
// <id>.json *before* the netns or any plugin runs, so whatever a crash leaves behind has a
// record the garbage collector can tear down.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomic-file.js';
import type { CniConfigList, CniResult } from './cni.js';
import type { CniPortMapping } from './network-record.js';
import type { PublishedPort } from './port-spec.js';
import { unlessMissing } from '../store/missing-path.js';

export interface Endpoint {
  network: string;
  networkId: string;
  /** eth0, eth1, ... inside the container. */
  ifname: string;
  config: CniConfigList;
  portMappings: CniPortMapping[];
  /** --ip: the address asked of host-local (CIDR), on the first network. */
  requestedIp?: string;
  /** Set once ADD succeeded. */
  result?: CniResult;
  ip?: string;
  prefixLength?: number;
  gateway?: string;
  mac?: string;
}

export interface NetworkAttachment {
  containerId: string;
  containerName: string;
  hostname: string;
  netns: string;
  netnsPath: string;
  created: string;
  addHosts: { name: string; ip: string }[];
  /** --network-alias names, resolved by peers on user networks. */
  aliases?: string[];
  ports: PublishedPort[];
  endpoints: Endpoint[];
  /** Failed teardowns so far (the garbage collector retries, then gives up). */
  teardownFailures?: number;
  lastError?: string;
}

export class AttachmentStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async get(id: string): Promise<NetworkAttachment | undefined> {
    try {
      return JSON.parse(await readFile(this.file(id), 'utf8')) as NetworkAttachment;
    } catch {
      // Missing or torn record: the container has no attachment.
      return undefined;
    }
  }

  async put(att: NetworkAttachment): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o711 });
    await writeJsonAtomic(this.file(att.containerId), att, 0o644, false);
  }

  async remove(id: string): Promise<void> {
    await unlessMissing(unlink(this.file(id)), undefined);
  }

  async ids(): Promise<string[]> {
    return (await unlessMissing(readdir(this.dir), [] as string[])).filter((f) => /^[a-f0-9]{64}\.json$/.test(f)).map((f) => f.slice(0, -5));
  }

  async list(): Promise<NetworkAttachment[]> {
    const all = await Promise.all((await this.ids()).map((id) => this.get(id)));
    return all.filter((a): a is NetworkAttachment => a !== undefined);
  }
}
