import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { release, RootedFs, type Dir } from '../fs/rooted-fs.js';
import { readTree } from '../fs/tree-reader.js';
import { writeTree } from '../fs/tree-writer.js';
import { readFileInRoot } from '../fs/root-files.js';
import { resolveUser, type ResolvedUser } from './user-resolution.js';
import { buildOciSpec, type OciSpec, type SpecMount } from './oci-spec.js';
import { capabilitiesFromMask } from './capabilities.js';
import { mountRootfs } from './rootfs-mount.js';
import { writeContainerEtcFiles } from './container-files.js';
import type { ContainerRecord } from './container-record.js';
import type { RuntimePaths } from './runtime-paths.js';
import type { VolumeStore } from './volume-store.js';

export interface PrepareContext {
  paths: RuntimePaths;
  volumes: VolumeStore;
  initBinary: string;
  /** Unpacked layer dirs of the container's image, topmost first. */
  layerDirsTopFirst: string[];
  /** The network namespace runc joins: made for the container (bridge), or another's (container mode). */
  netnsPath?: string;
  /** Container mode: the container whose /etc/hosts, /etc/hostname and resolv.conf are mounted instead of our own. */
  etcFilesOf?: string;
  /** The runtime takes `rro` (recursively read-only binds). */
  recursiveReadOnly?: boolean;
}

/**
 * Everything runc needs before it can start the container: the overlay rootfs mounted, the
 * user resolved in the image's /etc/passwd, volumes created (new ones get the image's files at
 * that path, as Docker copies them up), the /etc files written, and config.json in the bundle.
 */
export async function prepareContainer(rec: ContainerRecord, ctx: PrepareContext, opts: { terminal: boolean }): Promise<OciSpec> {
  const { paths } = ctx;
  const merged = paths.merged(rec.id);
  await mountRootfs({ layerDirsTopFirst: ctx.layerDirsTopFirst, upper: paths.upper(rec.id), work: paths.work(rec.id), merged, linkDir: paths.layerLinks(rec.id) });

  const user = await resolveContainerUser(merged, rec.user);
  const root = await RootedFs.open(merged);
  try {
    // The working directory exists when the process starts (as Docker makes it).
    await (await root.mkdirAll(rec.workdir, makeDir755)).close();
    for (const v of rec.request.volumes) {
      const { created } = await ctx.volumes.ensure(v.name, { anonymous: v.anonymous });
      if (created && !v.noCopy) await copyUp(root, v.destination, ctx.volumes.dataPath(v.name));
    }
  } finally {
    await root.close();
  }

  const mounts: SpecMount[] = [];
  // Read-only binds are read-only all the way down (mounts under the source too) where the
  // runtime and kernel can do it (runc's `rro`: mount_setattr, Linux >= 5.12), as Docker 25 does.
  const bindOptions = (m: { readOnly: boolean; propagation?: string }) => [
    'rbind',
    ...(m.readOnly ? ['ro', ...(ctx.recursiveReadOnly ? ['rro'] : [])] : ['rw']),
    ...(m.propagation ? [m.propagation] : []),
  ];
  for (const b of rec.request.binds) {
    // Docker creates a missing host directory for -v /host:/ctr.
    // When it cannot be made, the bind mount itself reports the missing source.
    await mkdir(b.source, { recursive: true }).catch(() => {});
    mounts.push({ destination: b.destination, source: b.source, type: 'bind', options: bindOptions(b) });
  }
  for (const v of rec.request.volumes) {
    const data = ctx.volumes.dataPath(v.name);
    mounts.push({ destination: v.destination, source: data, type: 'bind', options: bindOptions(v) });
  }
  for (const t of rec.request.tmpfs) mounts.push({ destination: t.destination, source: 'tmpfs', type: 'tmpfs', options: ['nosuid', 'nodev', ...t.options] });

  const etcOwner = ctx.etcFilesOf ?? rec.id;
  if (!ctx.etcFilesOf) await writeContainerEtcFiles({ hosts: paths.hosts(rec.id), hostname: paths.hostname(rec.id), resolvConf: paths.resolvConf(rec.id) }, rec.hostname, rec.request.network);
  mounts.push(
    { destination: '/etc/hosts', source: paths.hosts(etcOwner), type: 'bind', options: ['rbind', 'rw'] },
    { destination: '/etc/hostname', source: paths.hostname(etcOwner), type: 'bind', options: ['rbind', 'rw'] },
    { destination: '/etc/resolv.conf', source: paths.resolvConf(etcOwner), type: 'bind', options: ['rbind', 'rw'] },
  );

  const spec = buildOciSpec({
    id: rec.id,
    rootfsPath: merged,
    readOnlyRootfs: rec.request.readOnlyRootfs,
    process: { args: [rec.path, ...rec.args], env: rec.env, cwd: rec.workdir, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, terminal: opts.terminal },
    hostname: rec.hostname,
    privileged: rec.request.privileged,
    capAdd: rec.request.capAdd,
    capDrop: rec.request.capDrop,
    securityOpt: rec.request.securityOpt,
    memory: rec.request.memory,
    cpus: rec.request.cpus,
    pidsLimit: rec.request.pidsLimit,
    network: rec.request.network,
    netnsPath: ctx.netnsPath,
    cgroupsPath: `/tsdock/${rec.id}`,
    mounts,
    init: rec.request.init ? { hostPath: ctx.initBinary } : undefined,
    availableCapabilities: await runtimeCapabilities(),
  });
  await mkdir(paths.bundle(rec.id), { recursive: true });
  await writeFile(join(paths.bundle(rec.id), 'config.json'), JSON.stringify(spec));
  return spec;
}

/** Resolves `-u` against the container's own /etc/passwd and /etc/group. */
export async function resolveContainerUser(merged: string, spec: string): Promise<ResolvedUser> {
  return resolveUser(spec, await readFileInRoot(merged, '/etc/passwd'), await readFileInRoot(merged, '/etc/group'));
}

async function makeDir755(dir: Dir): Promise<void> {
  await dir.chmod(0o755);
}

/** A new volume gets what the image has at its mount point (as Docker copies it up), owners and modes kept. */
async function copyUp(root: RootedFs, destination: string, volumeData: string): Promise<void> {
  // A destination that does not resolve in the image has nothing to copy up.
  const loc = await root.locate(destination, { followLast: true }).catch(() => undefined);
  if (loc) await release(loc);
  if (!loc?.stat?.isDirectory()) return;
  const volume = await RootedFs.open(volumeData);
  try {
    const entries = readTree(root, loc.path, false);
    // The volume's own directory keeps its mode and owner from the image's directory, as Docker's.
    await writeTree(volume, '/', entries);
  } finally {
    await volume.close();
  }
}

let cachedCaps: readonly string[] | undefined;
/** The capabilities tsdock itself may hand out: its bounding set (this machine lacks some). */
async function runtimeCapabilities(): Promise<readonly string[]> {
  if (cachedCaps) return cachedCaps;
  const status = await readFile('/proc/self/status', 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  cachedCaps = hex ? capabilitiesFromMask(BigInt(`0x${hex}`)) : undefined;
  return cachedCaps ?? [];
}
