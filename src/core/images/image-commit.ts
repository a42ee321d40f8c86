import type { ContainerDefaults, HistoryEntry, ImageConfig } from './image-config.js';
import type { ImageLayer, ImageRecord } from './image-record.js';
import { writeImage } from './image-writer.js';
import { importDirectoryLayer } from './layer-from-directory.js';
import type { LayerTreeOptions } from './layer-tar-writer.js';
import { hostPlatform } from '../oci/platform.js';
import type { Store } from './store.js';

/**
 * A new image made of an existing one (or of nothing, for FROM scratch) plus at most one layer
 * of changes and a new container config: what `commit` and every build step write.
 */
export interface ChildImage {
  /** The image it is made from; undefined for an image from scratch. */
  parent?: { record: ImageRecord; config: ImageConfig };
  /** A directory of changes to become the new layer; none (or an empty one) adds no layer. */
  changes?: { dir: string; tree: LayerTreeOptions };
  config: ContainerDefaults;
  /** The history entry: the command (commit) or instruction (build) that made it. */
  createdBy: string;
  author?: string;
  comment?: string;
  tags?: string[];
  /** Creation time (default: now). */
  created?: string;
}

/** Writes the child image: its layer (when the changes hold any), config with history, record with parent. */
export async function writeChildImage(store: Store, child: ChildImage): Promise<ImageRecord> {
  const imported = child.changes ? await importDirectoryLayer(store, child.changes.dir, child.changes.tree) : undefined;
  const base = child.parent?.config;
  const platform = hostPlatform();
  const layers: ImageLayer[] = [...(child.parent?.record.layers ?? []), ...(imported ? [imported.layer] : [])];
  const created = child.created ?? new Date().toISOString();
  const entry: HistoryEntry = {
    created,
    ...(child.author && { author: child.author }),
    created_by: child.createdBy,
    ...(child.comment && { comment: child.comment }),
    ...(!imported && { empty_layer: true }),
  };
  const config: ImageConfig = {
    architecture: base?.architecture ?? platform.architecture,
    ...(child.author && { author: child.author }),
    config: child.config,
    created,
    history: [...parentHistory(child.parent), entry],
    os: base?.os ?? platform.os,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    ...((base?.variant ?? platform.variant) && { variant: base?.variant ?? platform.variant }),
  };
  return writeImage(store, { config, layers, tags: child.tags, parent: child.parent?.record.id });
}

/** The parent's history, with one entry per layer made up when it had none (so rows match layers). */
function parentHistory(parent: ChildImage['parent']): HistoryEntry[] {
  if (!parent) return [];
  if (parent.config.history?.length) return parent.config.history;
  return parent.record.layers.map(() => ({ created_by: '' }));
}

/**
 * What commit reads of a container: the parts of its create request that become image config.
 * A container record (runtime's ContainerRecord) is one; images does not depend on runtime.
 */
export interface CommittedContainer {
  request: {
    cmd?: string[];
    /** undefined: the image's; [] or [''] clears it. */
    entrypoint?: string[];
    env: string[];
    workdir?: string;
    user?: string;
    labels: Record<string, string>;
    /** "80/tcp" keys. */
    exposedPorts?: string[];
    volumes: readonly { destination: string; anonymous: boolean }[];
    stopSignal?: string;
  };
}

/**
 * The config a container runs with, as Docker's commit records it: the image's defaults merged
 * with what `create` asked for (Cmd, Entrypoint, Env, WorkingDir, User, Labels, ExposedPorts,
 * Volumes, StopSignal), without what the runtime added (HOSTNAME, TERM).
 */
export function containerCommitConfig(image: ContainerDefaults | undefined, rec: CommittedContainer): ContainerDefaults {
  const req = rec.request;
  const out: ContainerDefaults = { ...(image ?? {}) };
  const env = mergeEnv(image?.Env ?? [], req.env);
  if (env.length) out.Env = env;
  if (req.entrypoint !== undefined) out.Entrypoint = req.entrypoint.length && !(req.entrypoint.length === 1 && req.entrypoint[0] === '') ? req.entrypoint : null;
  if (req.cmd?.length) out.Cmd = req.cmd;
  else if (req.entrypoint !== undefined) out.Cmd = null;
  if (req.workdir) out.WorkingDir = req.workdir;
  if (req.user !== undefined) out.User = req.user;
  if (Object.keys(req.labels).length) out.Labels = { ...(image?.Labels ?? {}), ...req.labels };
  const ports = req.exposedPorts ?? [];
  if (ports.length) out.ExposedPorts = { ...(image?.ExposedPorts ?? {}), ...Object.fromEntries(ports.map((p) => [p, {}])) };
  const anonymous = req.volumes.filter((v) => v.anonymous).map((v) => v.destination);
  if (anonymous.length) out.Volumes = { ...(image?.Volumes ?? {}), ...Object.fromEntries(anonymous.map((d) => [d, {}])) };
  if (req.stopSignal) out.StopSignal = req.stopSignal;
  return out;
}

/** Docker's create-time merge: the user's variables, then the image's the user did not set. */
export function mergeEnv(imageEnv: readonly string[], userEnv: readonly string[]): string[] {
  const key = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const userKeys = new Set(userEnv.map(key));
  return [...userEnv.filter((e) => e.includes('=')), ...imageEnv.filter((e) => !userKeys.has(key(e)))];
}

/** Docker's CreatedBy of a commit: the container's command (its Cmd, not the entrypoint). */
export function commitCreatedBy(containerConfig: ContainerDefaults): string {
  return (containerConfig.Cmd ?? []).join(' ');
}
