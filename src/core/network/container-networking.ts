// Container networking over CNI, as the ContainerManager uses it: at create the request's
// networks and ports are checked and completed; before runc starts, a named netns is made and
// every network's conflist is ADDed into it; when the container is no longer running,
// everything is DELeted again (runtime cleanup, and the garbage collector for what a crash
// left). /etc/hosts of the containers of a user network name each other and are rewritten as
// containers come and go.
import { createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trace } from '../trace.js';
import { isErrorKind } from '../errors.js';
import { AttachmentStore, type Endpoint, type NetworkAttachment } from './attachment-store.js';
import { parseIpv4, parseSubnet, splitAddress, subnetContains } from './cidr.js';
import { CniError, CniRunner, type CniAttachmentParams } from './cni.js';
import { appendHosts, parseAddHost, renderHosts, renderResolvConf, type HostsEntry } from './etc-files.js';
import { allocateHostPorts, cniDnatHostPorts } from './host-ports.js';
import { HostSubnetRegistry } from './host-subnets.js';
import { resultFromLease } from './ipam-lease.js';
import { createNetns, deleteNetns, netnsName, netnsPath } from './netns.js';
import type { NetworkedContainer, NetworkRequest } from './network-request.js';
import { bridgeConfList, type CniPortMapping, type NetworkRecord } from './network-record.js';
import { DEFAULT_NETWORK_DEFAULTS, NetworkError, NetworkStore, type NetworkDefaults } from './network-store.js';
import { parseExposed, portBindings, networkSettingsPorts, formatPsPorts, publishAllRequests, sortPortKeys, type PublishedPort, portKey } from './port-spec.js';

export interface NetworkingSettings extends NetworkDefaults {
  /** Where the CNI plugins are (CNI_PATH). */
  pluginDirs: string[];
  /** host-local's data dirs, one per bridge: host-wide, since stores may share a bridge. */
  ipamDataDir: string;
}

export const DEFAULT_NETWORKING: NetworkingSettings = {
  ...DEFAULT_NETWORK_DEFAULTS,
  pluginDirs: ['/usr/lib/cni'],
  ipamDataDir: '/run/tsdock-ipam',
};

/** Where networking keeps its records and writes a container's files (runtime's RuntimePaths is one). */
export interface NetworkingPaths {
  /** The store root: networks/ and networks/attachments/ live under it. */
  readonly root: string;
  hosts(id: string): string;
  resolvConf(id: string): string;
}

/** What the garbage collector needs from the container manager. */
export interface ContainerAccess<C extends NetworkedContainer> {
  record(id: string): Promise<C | undefined>;
  /** Reconciles the record with reality (and runs the runtime cleanup when it exited). */
  refresh(rec: C): Promise<C>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** What a started container's spec needs: the netns to join. */
export interface NetworkSetup {
  netnsPath: string;
}

const MAX_TEARDOWN_ATTEMPTS = 5;

const isLive = (status: string) => status === 'running' || status === 'paused' || status === 'restarting';

export class ContainerNetworking {
  readonly networks: NetworkStore;
  readonly attachments: AttachmentStore;
  readonly cni: CniRunner;
  readonly settings: NetworkingSettings;

  constructor(
    private readonly paths: NetworkingPaths,
    settings: Partial<NetworkingSettings> = {},
  ) {
    this.settings = { ...DEFAULT_NETWORKING, ...settings };
    this.networks = new NetworkStore(join(paths.root, 'networks'), this.settings, new HostSubnetRegistry(this.settings.ipamDataDir));
    this.attachments = new AttachmentStore(join(paths.root, 'networks', 'attachments'));
    this.cni = new CniRunner(this.settings.pluginDirs);
  }

  // ---- create ----

  /**
   * Checks the request's networking at create time (networks exist, options fit the mode) and
   * completes it: canonical network names, -P expanded over the exposed ports.
   */
  async completeRequest(req: NetworkRequest, imageExposed: Record<string, object> | undefined): Promise<Partial<NetworkRequest>> {
    const exposed = new Set<string>();
    for (const k of Object.keys(imageExposed ?? {})) for (const e of parseExposed(k)) exposed.add(e);
    for (const k of req.exposedPorts ?? []) for (const e of parseExposed(k)) exposed.add(e);
    let ports = [...(req.ports ?? [])];
    for (const p of ports) exposed.add(portKey(p.containerPort, p.protocol));
    if (req.publishAll) ports = [...ports, ...publishAllRequests(sortPortKeys(exposed), ports)];
    for (const h of req.addHosts ?? []) parseAddHost(h);
    const out: Partial<NetworkRequest> = { exposedPorts: sortPortKeys(exposed) };
    if (req.network !== 'bridge') {
      // Docker: ports are dropped with host networking (a warning), refused without a network.
      if (ports.length && req.network !== 'host') throw new NetworkError('conflicting options: port publishing and the container type network mode');
      return { ...out, ports: [] };
    }
    const names: string[] = [];
    for (const n of req.networks?.length ? req.networks : ['bridge']) {
      const net = await this.networks.get(n);
      if (net.driver !== 'bridge') throw new NetworkError(`container cannot be connected to network ${net.name} together with others (driver ${net.driver})`);
      if (!names.includes(net.name)) names.push(net.name);
      if (req.ipv4Address && names.length === 1) {
        const ip = parseIpv4(req.ipv4Address)!;
        if (!net.subnet || !subnetContains(parseSubnet(net.subnet), ip)) throw new NetworkError(`Invalid address ${req.ipv4Address}: It does not belong to any of this network's subnets`);
        if (req.ipv4Address === net.gateway) throw new NetworkError(`Invalid address ${req.ipv4Address}: it is the gateway of network ${net.name}`);
      }
    }
    return { ...out, networks: names, ports };
  }

  // ---- start ----

  private attachParams(att: NetworkAttachment, ep: Endpoint): CniAttachmentParams {
    const args: Record<string, unknown> = {};
    if (ep.portMappings.length) args.portMappings = ep.portMappings;
    if (ep.requestedIp) args.ips = [ep.requestedIp];
    return { containerId: att.containerId, netns: att.netnsPath, ifname: ep.ifname, capabilityArgs: Object.keys(args).length ? args : undefined };
  }

  private endpointFor(net: NetworkRecord, ifname: string, ports: PublishedPort[]): Endpoint {
    return {
      network: net.name,
      networkId: net.id,
      ifname,
      config: bridgeConfList(net, this.settings.ipamDataDir),
      portMappings: ports.map((p): CniPortMapping => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, ...(p.hostIp && { hostIP: p.hostIp }) })),
    };
  }

  /** Where setup() puts the container's netns (known before it runs), for the OCI spec. */
  plannedNetnsPath(rec: NetworkedContainer): string | undefined {
    return rec.request.network === 'bridge' ? netnsPath(netnsName(rec.id)) : undefined;
  }

  /**
   * Before runc starts a 'bridge' container: host ports are allocated and the attachment
   * recorded (under the network lock, so two starts cannot take the same port), then the
   * netns is created and each network ADDed (eth0, eth1, ...). A failure undoes all of it.
   */
  async setup(rec: NetworkedContainer): Promise<NetworkSetup | undefined> {
    const req = rec.request;
    if (req.network !== 'bridge') return undefined;
    trace('network setup');
    const nets = await Promise.all((req.networks ?? ['bridge']).map((n) => this.networks.get(n)));
    // Their subnets are about to be on the host: other stores must see them taken.
    await this.networks.ensureReserved(nets);
    const ns = netnsName(rec.id);
    const att = await this.networks.lock.withLock(async () => {
      const others = (await this.attachments.list()).filter((a) => a.containerId !== rec.id);
      // Host ports are host-wide: the DNAT rules of other stores' containers hold no socket either.
      const mappedOnHost = req.ports?.length ? (await cniDnatHostPorts()).filter((p) => p.containerId !== rec.id) : [];
      const ports = await allocateHostPorts(req.ports ?? [], [...others.flatMap((a) => a.ports), ...mappedOnHost]);
      const a: NetworkAttachment = {
        containerId: rec.id,
        containerName: rec.name,
        hostname: rec.hostname,
        netns: ns,
        netnsPath: netnsPath(ns),
        created: new Date().toISOString(),
        addHosts: (req.addHosts ?? []).map(parseAddHost),
        ...(req.networkAliases?.length && { aliases: req.networkAliases }),
        ports,
        endpoints: [],
      };
      a.endpoints = nets.map((n, i) => this.endpointFor(n, `eth${i}`, i === 0 ? ports : []));
      if (req.ipv4Address && nets[0]?.subnet) a.endpoints[0]!.requestedIp = `${req.ipv4Address}/${nets[0].subnet.split('/')[1]}`;
      await this.attachments.put(a);
      return a;
    });
    try {
      await createNetns(ns);
      trace('netns created');
      for (const ep of att.endpoints) {
        await this.addEndpoint(att, ep);
        trace(`network ${ep.network} attached as ${ep.ifname}`);
      }
    } catch (err) {
      // Undoing a failed set-up: the set-up's error is the one to report.
      await this.teardown(rec.id).catch(() => {});
      // host-local's words for a taken --ip; Docker says "Address already in use".
      if (req.ipv4Address && err instanceof CniError && isErrorKind(err, 'conflict')) {
        throw new NetworkError(`Address already in use: ${req.ipv4Address} is taken on network ${nets[0]?.name}; choose another --ip or leave it out`);
      }
      throw err;
    }
    return { netnsPath: att.netnsPath };
  }

  private async addEndpoint(att: NetworkAttachment, ep: Endpoint): Promise<void> {
    const result = await this.cni.add(ep.config, this.attachParams(att, ep));
    ep.result = result;
    const ifIndex = result.interfaces?.findIndex((i) => i.name === ep.ifname && i.sandbox);
    const ipc = result.ips?.find((i) => i.interface === undefined || i.interface === ifIndex) ?? result.ips?.[0];
    if (ipc) {
      const { ip, prefixLength } = splitAddress(ipc.address);
      ep.ip = ip;
      ep.prefixLength = prefixLength;
      ep.gateway = ipc.gateway;
    }
    ep.mac = ifIndex !== undefined && ifIndex >= 0 ? result.interfaces![ifIndex]!.mac : undefined;
    await this.attachments.put(att);
  }

  /**
   * The container's /etc/hosts and /etc/resolv.conf (after prepareContainer wrote the plain
   * ones): its address and name, --add-host, --dns, and the peers on its user networks, whose
   * own hosts files learn about it at the same time.
   */
  async writeEtcFiles(rec: NetworkedContainer): Promise<void> {
    const req = rec.request;
    // A host without resolv.conf: the container gets the default nameservers.
    const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    if (req.network !== 'bridge') {
      // A joined netns (container mode) uses its owner's files; --dns/--add-host were refused.
      if (req.network === 'container' || (!req.dns?.length && !req.addHosts?.length)) return;
      const extra = await this.extraHosts(req.addHosts ?? [], undefined);
      const hosts = req.network === 'host'
        // A host without /etc/hosts: only the added entries.
        ? appendHosts(await readFile('/etc/hosts', 'utf8').catch(() => ''), extra)
        : renderHosts({ hostname: rec.hostname, extra, peers: [] });
      await writeFile(this.paths.hosts(rec.id), hosts);
      await writeFile(this.paths.resolvConf(rec.id), renderResolvConf(hostResolv, { dns: req.dns, network: req.network }));
      return;
    }
    await writeFile(this.paths.resolvConf(rec.id), renderResolvConf(hostResolv, { dns: req.dns, network: 'bridge' }));
    await this.networks.lock.withLock(async () => {
      const all = await this.attachments.list();
      const self = all.find((a) => a.containerId === rec.id);
      if (!self) return;
      await this.rewriteHosts([self, ...peersOf(self, all)], all, true);
    });
  }

  private async extraHosts(specs: string[] | { name: string; ip: string }[], gateway: string | undefined): Promise<HostsEntry[]> {
    const parsed = specs.map((s) => (typeof s === 'string' ? parseAddHost(s) : s));
    let gw = gateway;
    if (parsed.some((p) => p.ip === 'host-gateway') && !gw) gw = (await this.networks.find('bridge'))?.gateway;
    return parsed.map((p) => ({ ip: p.ip === 'host-gateway' ? gw ?? '' : p.ip, names: [p.name] })).filter((e) => e.ip);
  }

  private async hostsFor(att: NetworkAttachment, all: NetworkAttachment[]): Promise<string> {
    const first = att.endpoints.find((e) => e.ip);
    const onUserNetwork = att.endpoints.some((e) => e.network !== 'bridge');
    const names = onUserNetwork ? [att.hostname, att.containerName] : [att.hostname];
    const peers: HostsEntry[] = [];
    for (const p of peersOf(att, all)) {
      const shared = p.endpoints.find((e) => e.ip && e.network !== 'bridge' && att.endpoints.some((m) => m.networkId === e.networkId));
      if (shared) peers.push({ ip: shared.ip!, names: [p.containerName, p.hostname, ...(p.aliases ?? [])] });
    }
    peers.sort((a, b) => a.names[0]!.localeCompare(b.names[0]!));
    return renderHosts({ self: first ? { ip: first.ip!, names } : undefined, hostname: att.hostname, extra: await this.extraHosts(att.addHosts, first?.gateway), peers });
  }

  /** Rewrites hosts files in place (they are bind-mounted: the inode must stay). */
  private async rewriteHosts(targets: NetworkAttachment[], all: NetworkAttachment[], createFirst: boolean): Promise<void> {
    for (const [i, t] of targets.entries()) {
      const content = await this.hostsFor(t, all);
      const path = this.paths.hosts(t.containerId);
      if (i === 0 && createFirst) {
        await writeFile(path, content);
        continue;
      }
      // A container file not written yet has nothing to update.
      const fh = await open(path, 'r+').catch(() => undefined);
      if (!fh) continue;
      try {
        // Write, then cut: a reader in the container never sees an empty file.
        const { bytesWritten } = await fh.write(content, 0);
        await fh.truncate(bytesWritten);
      } finally {
        await fh.close();
      }
    }
  }

  // ---- stop ----

  /**
   * Undoes setup for a container that is not running: DEL of every endpoint (reverse order,
   * with the cached ADD result, or the one its IPAM lease gives when ADD was cut short), the netns, the record; peers forget it. A failed DEL keeps the
   * record so the garbage collector tries again (a few times).
   */
  async teardown(containerId: string): Promise<void> {
    const att = await this.attachments.get(containerId);
    if (!att) return;
    trace('network teardown');
    const errors: string[] = [];
    for (const ep of [...att.endpoints].reverse()) {
      try {
        await this.cni.del(ep.config, this.attachParams(att, ep), ep.result ?? (await resultFromLease(ep.config, att.containerId, ep.ifname)));
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    const retry = errors.length > 0 && (att.teardownFailures ?? 0) + 1 < MAX_TEARDOWN_ATTEMPTS;
    // The netns stays while a DEL may be retried: bridge finds the veth (and the masquerade
    // rules to remove) through it.
    if (!retry) {
      try {
        await deleteNetns(att.netns);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (retry) {
      att.teardownFailures = (att.teardownFailures ?? 0) + 1;
      att.lastError = errors.join('; ');
      await this.attachments.put(att);
      trace(`network teardown failed: ${att.lastError}`);
      return;
    }
    await this.networks.lock.withLock(async () => {
      await this.attachments.remove(containerId);
      const all = await this.attachments.list();
      await this.rewriteHosts(peersOf(att, all), all, false);
    });
    trace('network torn down');
  }

  /**
   * Tears down attachments whose container is gone or no longer runs (tsdock or the host
   * killed at the wrong moment). Cheap when there is nothing: one readdir.
   */
  async collectGarbage<C extends NetworkedContainer>(containers: ContainerAccess<C>): Promise<void> {
    const ids = await this.attachments.ids();
    for (const id of ids) {
      try {
        let rec = await containers.record(id);
        if (rec) rec = await containers.refresh(rec);
        if (rec && isLive(rec.state.status)) continue;
        await containers.withLock(id, async () => {
          const now = await containers.record(id);
          if (now && isLive(now.state.status)) return;
          await this.teardown(id);
        });
      } catch (err) {
        trace(`network garbage collection of ${id}: ${(err as Error).message}`);
      }
    }
  }

  // ---- connect / disconnect ----

  /**
   * `network connect`: adds the network to the container's request; a running container gets
   * the endpoint now (the next free ethN). The caller holds the container's lock and saves it.
   */
  async connect(rec: NetworkedContainer, query: string, running: boolean): Promise<void> {
    const net = await this.networks.get(query);
    const req = rec.request;
    if (net.driver === 'host') throw new NetworkError('container cannot be disconnected from host network or connected to host network');
    if (net.driver === 'null') throw new NetworkError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
    if (req.network !== 'bridge') throw new NetworkError(`container ${rec.name} runs with --network ${modeName(req)}: it cannot be connected to network ${net.name}`);
    const current = req.networks ?? ['bridge'];
    if (current.includes(net.name)) throw new NetworkError(`endpoint with name ${rec.name} already exists in network ${net.name}`);
    req.networks = [...current, net.name];
    if (!running) return;
    const att = await this.attachments.get(rec.id);
    if (!att) throw new NetworkError(`container ${rec.name} has no network namespace to connect`);
    const used = new Set(att.endpoints.map((e) => e.ifname));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const ep = this.endpointFor(net, `eth${n}`, []);
    att.endpoints.push(ep);
    await this.attachments.put(att);
    try {
      await this.addEndpoint(att, ep);
    } catch (err) {
      // Undoing a failed attach: the attach's error is the one to report.
      await this.cni.del(ep.config, this.attachParams(att, ep), undefined).catch(() => {});
      att.endpoints = att.endpoints.filter((e) => e !== ep);
      await this.attachments.put(att);
      throw err;
    }
    await this.refreshHostsAround(att);
  }

  /** `network disconnect`: the reverse; a running container loses the endpoint now. */
  async disconnect(rec: NetworkedContainer, query: string, running: boolean): Promise<void> {
    const net = await this.networks.get(query);
    const req = rec.request;
    const current = req.network === 'bridge' ? req.networks ?? ['bridge'] : [modeName(req)];
    if (!current.includes(net.name)) throw new NetworkError(`container ${rec.id.slice(0, 12)} is not connected to network ${net.name}`);
    if (req.network !== 'bridge') throw new NetworkError(`container cannot be disconnected from host network or connected to host network`);
    req.networks = current.filter((n) => n !== net.name);
    if (!running) return;
    const att = await this.attachments.get(rec.id);
    const ep = att?.endpoints.find((e) => e.networkId === net.id);
    if (!att || !ep) return;
    await this.cni.del(ep.config, this.attachParams(att, ep), ep.result);
    att.endpoints = att.endpoints.filter((e) => e !== ep);
    await this.attachments.put(att);
    await this.refreshHostsAround(att, ep.networkId);
  }

  private async refreshHostsAround(att: NetworkAttachment, formerNetworkId?: string): Promise<void> {
    await this.networks.lock.withLock(async () => {
      const all = await this.attachments.list();
      const formerPeers = formerNetworkId ? all.filter((a) => a.containerId !== att.containerId && a.endpoints.some((e) => e.networkId === formerNetworkId)) : [];
      const targets = [att, ...peersOf(att, all), ...formerPeers];
      await this.rewriteHosts([...new Map(targets.map((t) => [t.containerId, t])).values()], all, false);
    });
  }

  // ---- networks ----

  /** Attachments with an endpoint on the network (its active endpoints). */
  async endpointsOn(net: NetworkRecord): Promise<{ att: NetworkAttachment; ep: Endpoint }[]> {
    const out: { att: NetworkAttachment; ep: Endpoint }[] = [];
    for (const att of await this.attachments.list()) for (const ep of att.endpoints) if (ep.networkId === net.id) out.push({ att, ep });
    return out;
  }

  /** `network rm`: refused for the predefined networks and while containers are attached. */
  async removeNetwork(query: string): Promise<NetworkRecord> {
    const net = await this.networks.get(query);
    return this.networks.lock.withLock(async () => {
      if (['bridge', 'host', 'none'].includes(net.name)) throw new NetworkError(`${net.name} is a pre-defined network and cannot be removed`);
      if ((await this.endpointsOn(net)).length) throw new NetworkError(`error while removing network: network ${net.name} id ${net.id} has active endpoints`);
      await this.networks.remove(net, this.settings.ipamDataDir);
      return net;
    });
  }

  /** `network prune`: user networks without endpoints. */
  async pruneNetworks(): Promise<NetworkRecord[]> {
    const removed: NetworkRecord[] = [];
    for (const net of await this.networks.list()) {
      if (['bridge', 'host', 'none'].includes(net.name)) continue;
      try {
        removed.push(await this.removeNetwork(net.id));
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
      }
    }
    return removed;
  }

  // ---- views ----

  /** The host ports a running container publishes. */
  async publishedPorts(rec: NetworkedContainer): Promise<PublishedPort[]> {
    if (!isLive(rec.state.status)) return [];
    return (await this.attachments.get(rec.id))?.ports ?? [];
  }

  /** The PORTS column of `ps`. */
  async psPorts(rec: NetworkedContainer): Promise<string> {
    if (!isLive(rec.state.status)) return '';
    return formatPsPorts(await this.publishedPorts(rec), rec.request.exposedPorts ?? []);
  }

  /** The network parts of `inspect`: HostConfig's, Config.ExposedPorts and NetworkSettings. */
  async inspectFields(rec: NetworkedContainer, base: Record<string, unknown>): Promise<Record<string, unknown>> {
    const req = rec.request;
    const att = isLive(rec.state.status) ? await this.attachments.get(rec.id) : undefined;
    const exposed = req.exposedPorts ?? [];
    const modeNames = req.network === 'bridge' ? req.networks ?? ['bridge'] : [modeName(req)];
    const networks: Record<string, unknown> = {};
    for (const name of modeNames) {
      // A network removed since the container was created is skipped.
      const net = await this.networks.find(name).catch(() => undefined);
      const ep = att?.endpoints.find((e) => e.network === name);
      networks[name] = {
        IPAMConfig: req.ipv4Address && name === modeNames[0] ? { IPv4Address: req.ipv4Address } : null,
        Links: null,
        Aliases: name !== 'bridge' && req.networkAliases?.length ? req.networkAliases : null,
        MacAddress: ep?.mac ?? '',
        NetworkID: net?.id ?? '',
        EndpointID: ep ? endpointId(rec.id, ep.networkId) : '',
        Gateway: ep?.gateway ?? '',
        IPAddress: ep?.ip ?? '',
        IPPrefixLen: ep?.prefixLength ?? 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: ep && name !== 'bridge' ? [rec.name, rec.id.slice(0, 12)] : null,
      };
    }
    // Docker fills the top-level address fields from the default bridge network only.
    const def = att?.endpoints.find((e) => e.network === 'bridge');
    const hostConfig = (base.HostConfig ?? {}) as Record<string, unknown>;
    const config = (base.Config ?? {}) as Record<string, unknown>;
    return {
      HostConfig: {
        ...hostConfig,
        NetworkMode: modeNames[0] ?? 'none',
        PortBindings: portBindings(req.ports ?? []),
        PublishAllPorts: req.publishAll === true,
        Dns: req.dns ?? [],
        ExtraHosts: req.addHosts?.length ? req.addHosts : null,
      },
      Config: { ...config, ...(exposed.length && { ExposedPorts: Object.fromEntries(exposed.map((k) => [k, {}])) }) },
      NetworkSettings: {
        Bridge: '',
        SandboxID: att ? createHash('sha256').update(att.netnsPath).digest('hex') : '',
        SandboxKey: att?.netnsPath ?? '',
        Ports: att ? networkSettingsPorts(att.ports, exposed) : {},
        Gateway: def?.gateway ?? '',
        IPAddress: def?.ip ?? '',
        IPPrefixLen: def?.prefixLength ?? 0,
        MacAddress: def?.mac ?? '',
        Networks: networks,
      },
    };
  }

  /** `network inspect` JSON, as Docker's. */
  async networkInspect(net: NetworkRecord): Promise<Record<string, unknown>> {
    const containers: Record<string, unknown> = {};
    for (const { att, ep } of await this.endpointsOn(net)) {
      containers[att.containerId] = {
        Name: att.containerName,
        EndpointID: endpointId(att.containerId, ep.networkId),
        MacAddress: ep.mac ?? '',
        IPv4Address: ep.ip ? `${ep.ip}/${ep.prefixLength}` : '',
        IPv6Address: '',
      };
    }
    return {
      Name: net.name,
      Id: net.id,
      Created: net.created,
      Scope: 'local',
      Driver: net.driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: null, Config: net.subnet ? [{ Subnet: net.subnet, Gateway: net.gateway }] : [] },
      Internal: false,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: net.bridge ? { 'com.docker.network.bridge.name': net.bridge } : {},
      Labels: net.labels,
    };
  }
}

/** Attachments sharing a user network with `att` (the default bridge does not resolve names, as Docker's). */
function peersOf(att: NetworkAttachment, all: NetworkAttachment[]): NetworkAttachment[] {
  const mine = new Set(att.endpoints.filter((e) => e.network !== 'bridge').map((e) => e.networkId));
  if (!mine.size) return [];
  return all.filter((a) => a.containerId !== att.containerId && a.endpoints.some((e) => mine.has(e.networkId)));
}

function endpointId(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

/** The network mode as Docker names it: `none` for a private netns, `container:<id>` for a joined one. */
function modeName(req: NetworkRequest): string {
  if (req.network === 'private') return 'none';
  if (req.network === 'container') return `container:${req.networkContainer}`;
  return req.network;
}
