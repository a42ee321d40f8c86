import { loadConfig, DEFAULT_CONFIG_PATH, DEFAULT_ROOT, type TsdockConfig } from './config.js';
import { Store } from './images/store.js';
import { CredentialStore, type Credentials } from './registry/credentials.js';
import type { RegistryClient } from './registry/registry-client.js';
import { knownRegistries, type KnownRegistry } from './registry/known-registries.js';
import { parseReference, familiarName, formatReference, InvalidReferenceError } from './oci/reference.js';
import { parsePlatform } from './oci/platform.js';
import type { PullResult } from './images/pull.js';
import type { PullListener } from './images/pull-events.js';
import type { PushResult } from './images/push.js';
import type { PushListener } from './images/push-events.js';
import type { ArchiveFormat } from './images/image-archive.js';
import type { LoadProgress, LoadResult } from './images/image-load.js';
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { CopyOptions, CopyReport } from './runtime/container-copy.js';
import type { ContainerFs } from './runtime/container-fs.js';
import { parseImageConfig, type ImageConfig } from './images/image-config.js';
import type { ImageRecord } from './images/image-record.js';
import { familiarTag, resolveImage, tagsOf } from './images/image-resolver.js';
import { deleteImage, intermediateImageIds, pruneParents, removeImage, removeOrphans, type RemovalEntry } from './images/image-removal.js';
import { imageInspect, type ImageInspect } from './images/image-inspect.js';
import { imageHistory, type HistoryRow } from './images/image-history.js';
import type { Digest } from './oci/digest.js';
import { ImageNotFoundError } from './images/image-resolver.js';
import { ContainerManager } from './runtime/container-manager.js';
import { ContainerService } from './services/container-service.js';
import { VolumeService } from './services/volume-service.js';
import { NetworkService } from './services/network-service.js';
import { RuntimePaths, DEFAULT_RUN_ROOT } from './runtime/runtime-paths.js';
import { networkingSettingsFromConfig } from './network/network-config.js';
import type { BuildOptions, BuildResult } from './build/builder.js';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreWatcher } from './store/store-watcher.js';
import { followLogFile } from './runtime/log-follower.js';
import type { LogRecord } from './runtime/container-logs.js';
import { removeAbandonedBuildMounts } from './build/abandoned-build-mounts.js';

export interface EngineOptions {
  root?: string;
  configPath?: string;
  credentialsPath?: string;
  /** Volatile runtime state (runc state, exit files); default /run/tsdock or TSDOCK_RUN_ROOT. */
  runRoot?: string;
}

/** One row of `images`: an image under one of its tags (or `<none>`). */
export interface ImageSummary {
  id: Digest;
  repository: string;
  tag: string;
  digest: string;
  created?: string;
  size: number;
}

export interface CommitOptions {
  /** REPOSITORY[:TAG] to tag the new image with. */
  reference?: string;
  author?: string;
  message?: string;
  /** `-c` values: Dockerfile instructions applied to the config. */
  changes?: string[];
  /** Pause a running container while its layer is read (default true, as Docker). */
  pause?: boolean;
}

export interface PruneResult {
  entries: RemovalEntry[];
  reclaimed: number;
}

/**
 * The one API the CLI and the TUI call. It owns the store, the config and the credentials,
 * and hands out registry clients; every operation lives in its own module.
 */
export class Engine {
  private containerManager?: Promise<ContainerManager>;

  private constructor(
    private readonly store: Store,
    private readonly config: TsdockConfig,
    private readonly credentials: CredentialStore,
    private readonly options: { root: string; configPath?: string; runRoot: string },
  ) {}

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const root = resolve(opts.root ?? process.env.TSDOCK_ROOT ?? DEFAULT_ROOT);
    const configPath = opts.configPath ?? process.env.TSDOCK_CONFIG;
    const config = await loadConfig(configPath ?? DEFAULT_CONFIG_PATH, configPath !== undefined);
    const runRoot = opts.runRoot ?? process.env.TSDOCK_RUN_ROOT ?? DEFAULT_RUN_ROOT;
    return new Engine(await Store.open(root), config, new CredentialStore(opts.credentialsPath), { root, configPath, runRoot });
  }

  /** Containers: lifecycle, exec, logs, attach and the views of ps, inspect, diff, top, port and stats. */
  async containers(): Promise<ContainerService> {
    return new ContainerService(await this.runtime(), this.store);
  }

  /** Volumes: create, ls, inspect, rm and prune, with the store lock and the in-use checks. */
  async volumes(): Promise<VolumeService> {
    return new VolumeService(await this.runtime(), this.store.lock);
  }

  /** Networks: create, ls, inspect, rm, prune, connect and disconnect. */
  async networks(): Promise<NetworkService> {
    return new NetworkService(await this.runtime());
  }

  /** The config file's `keymap` (TUI command -> keys). */
  keymapConfig(): Record<string, unknown> {
    return this.config.keymap ?? {};
  }

  /** The container runtime, set up on first use so image-only commands never pay for it. */
  private runtime(): Promise<ContainerManager> {
    return (this.containerManager ??= (async () => {
      const script = process.argv[1] ? realpathSync(process.argv[1]) : '';
      const manager = new ContainerManager(
        this.store,
        new RuntimePaths(this.options.root, this.options.runRoot),
        {
          runcBinary: this.config.runtime,
          conmonBinary: this.config.conmon,
          initBinary: this.config['init-path'],
          selfCommand: [process.execPath, script],
          selfArgs: ['--root', this.options.root, ...(this.options.configPath ? ['--config', resolve(this.options.configPath)] : [])],
          network: networkingSettingsFromConfig(this.config),
        },
        (image) => this.imageConfig(image),
      );
      await manager.init();
      await removeAbandonedBuildMounts(this.options.runRoot);
      return manager;
    })());
  }

  /** Resolves the image, pulling it first when it is missing (as `docker run` does). */
  async imageForRun(reference: string, opts: { pull?: 'missing' | 'always' | 'never'; platform?: string; onPullStart?: () => void; onEvent?: PullListener } = {}): Promise<ImageRecord> {
    const policy = opts.pull ?? 'missing';
    if (policy !== 'always') {
      try {
        return (await resolveImage(this.store.images, reference)).image;
      } catch (err) {
        if (!(err instanceof ImageNotFoundError) || policy === 'never') throw err;
      }
    }
    opts.onPullStart?.();
    return (await this.pull(reference, { platform: opts.platform, onEvent: opts.onEvent })).image;
  }

  /** Registry code (http/https/tls) loads only for commands that talk to a registry. */
  private async registry(domain: string, creds?: Credentials): Promise<RegistryClient> {
    const { RegistryClient } = await import('./registry/registry-client.js');
    return new RegistryClient(domain, this.config, this.credentials, creds);
  }

  async pull(reference: string, opts: { platform?: string; onEvent?: PullListener } = {}): Promise<PullResult> {
    const ref = parseReference(reference);
    const { pullImage } = await import('./images/pull.js');
    return pullImage(this.store, await this.registry(ref.domain), ref, {
      platform: opts.platform ? parsePlatform(opts.platform) : undefined,
      maxConcurrentDownloads: this.config['max-concurrent-downloads'],
      onEvent: opts.onEvent,
    });
  }

  /** Pushes a tagged local image to its registry (the tag defaults to latest). */
  async push(reference: string, opts: { onEvent?: PushListener } = {}): Promise<PushResult> {
    const ref = parseReference(reference);
    if (ref.digest) throw new InvalidReferenceError(reference, 'invalid-tag', `cannot push a digest reference ("${reference}"); push a tag`);
    const { pushImage } = await import('./images/push.js');
    return pushImage(this.store, await this.registry(ref.domain), ref, {
      chunkSize: this.config['upload-chunk-size'],
      maxConcurrentUploads: this.config['max-concurrent-uploads'],
      onEvent: opts.onEvent,
    });
  }

  /**
   * Writes images to an archive (`docker save`): to a file, which appears only once complete,
   * or to a stream such as stdout.
   */
  async save(names: string[], opts: { format?: ArchiveFormat; output: string | NodeJS.WritableStream }): Promise<void> {
    const { resolveSaveItems, saveToFile, writeImageArchive } = await import('./images/image-save.js');
    const items = await resolveSaveItems(this.store, names);
    const write = (out: NodeJS.WritableStream) => writeImageArchive(this.store, items, opts.format ?? 'docker-archive', out);
    if (typeof opts.output === 'string') await saveToFile(opts.output, write);
    else await write(opts.output);
  }

  /** Loads the images of a docker-archive or OCI-layout tar, from a file or a stream (`docker load`). */
  async load(input: string | Readable, opts: { onProgress?: (p: LoadProgress) => void } = {}): Promise<LoadResult> {
    const { loadImages } = await import('./images/image-load.js');
    const source = typeof input === 'string' ? createReadStream(input) : input;
    if (typeof input === 'string') {
      // Report a missing or unreadable file as such, before anything is spooled.
      await new Promise<void>((resolve, reject) => {
        source.once('readable', resolve);
        source.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot read ${input}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`)));
      });
    }
    return loadImages(this.store, source, { onProgress: opts.onProgress });
  }

  /** Local tags of one repository (`push --all-tags`), as full references, sorted. */
  async repositoryTags(repository: string): Promise<string[]> {
    const ref = parseReference(repository);
    const prefix = `${ref.domain}/${ref.path}:`;
    return Object.keys(await this.store.images.tags()).filter((t) => t.startsWith(prefix)).sort();
  }

  private async imageConfig(image: ImageRecord): Promise<ImageConfig> {
    return parseImageConfig(await this.store.content.read(image.id), image.id);
  }

  /** `images`: without `all`, build's intermediate images (untagged, with children) are left out, as Docker does. */
  async images(opts: { all?: boolean } = {}): Promise<ImageSummary[]> {
    const [records, tags] = await Promise.all([this.store.images.list(), this.store.images.tags()]);
    const hidden = opts.all ? new Set<Digest>() : intermediateImageIds(records, tags);
    const rows: ImageSummary[] = [];
    for (const image of records) {
      if (hidden.has(image.id)) continue;
      // An unreadable config (a broken blob) still lists the image, without a date.
      const created = (await this.imageConfig(image).catch(() => undefined))?.created;
      const digestFor = (repo: string) => image.repoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
      const imageTags = tagsOf(tags, image.id);
      for (const t of imageTags) {
        const ref = parseReference(t);
        rows.push({ id: image.id, repository: familiarName(ref), tag: ref.tag ?? '<none>', digest: digestFor(formatReference({ domain: ref.domain, path: ref.path })), created, size: image.size });
      }
      if (imageTags.length === 0) {
        const [repo, digest] = image.repoDigests[0]?.split('@') ?? [];
        rows.push({ id: image.id, repository: repo ? familiarName(parseReference(repo)) : '<none>', tag: '<none>', digest: digest ?? '<none>', created, size: image.size });
      }
    }
    // Newest first, as Docker lists them.
    return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.repository.localeCompare(b.repository) || a.tag.localeCompare(b.tag));
  }

  async inspectImage(query: string): Promise<ImageInspect> {
    const { image } = await resolveImage(this.store.images, query);
    const tags = tagsOf(await this.store.images.tags(), image.id);
    return imageInspect(image, await this.imageConfig(image), tags, image.layers.map((l) => this.store.layers.diffPath(l.diffId)));
  }

  /**
   * Calls back (debounced) when containers or images change on disk, whoever changed them: this
   * process, another tsdock, conmon recording an exit. inotify, no polling. Returns a stop function.
   */
  watchChanges(onChange: (what: 'containers' | 'images') => void): () => void {
    let watcher: StoreWatcher | undefined;
    let stopped = false;
    this.runtime().then(
      (c) => {
        if (stopped) return;
        watcher = new StoreWatcher({ containersDir: c.paths.containersDir, exitDir: c.paths.exitDir, storeRoot: this.store.root, imagesDir: join(this.store.root, 'images') }, onChange);
        watcher.start();
      },
      () => {},
    );
    return () => {
      stopped = true;
      watcher?.close();
    };
  }

  /** A container's log so far (its end, for a big one), then each record as it is written. Returns a stop function. */
  followLog(query: string, onRecords: (records: LogRecord[]) => void, onError: (err: Error) => void): () => void {
    let stop: (() => void) | undefined;
    let stopped = false;
    this.runtime()
      .then((c) => c.find(query).then((rec) => c.paths.log(rec.id)))
      .then(
        (path) => {
          if (!stopped) stop = followLogFile(path, onRecords, onError);
        },
        (err: Error) => onError(err),
      );
    return () => {
      stopped = true;
      stop?.();
    };
  }

  async history(query: string): Promise<HistoryRow[]> {
    const { image } = await resolveImage(this.store.images, query);
    const sizes = await Promise.all(image.layers.map(async (l) => (await this.store.layers.info(l.diffId))?.size ?? 0));
    const rows = imageHistory(image, await this.imageConfig(image), sizes);
    // Rows made by a parent still in the store (commit, build steps) show its ID, as Docker's do.
    for (let id = image.parent; id; ) {
      const parent = await this.store.images.get(id);
      if (!parent) break;
      // A parent whose config cannot be read leaves its rows as <missing>.
      const config = await this.imageConfig(parent).catch(() => undefined);
      const row = rows[rows.length - (config?.history?.length || parent.layers.length)];
      if (row?.id === '<missing>') row.id = parent.id;
      id = parent.parent;
    }
    return rows;
  }

  async removeImage(query: string, opts: { force?: boolean } = {}): Promise<RemovalEntry[]> {
    const containers = await this.runtime();
    return removeImage(this.store, query, {
      force: opts.force,
      containersUsing: async (id) => (await containers.containers.list()).filter((c) => c.imageId === id).map((c) => c.id),
    });
  }

  async tagImage(source: string, target: string): Promise<void> {
    const ref = parseReference(target);
    if (ref.digest) throw new InvalidReferenceError(target, 'invalid-tag', `refusing to create a tag with a digest reference: "${target}"`);
    await this.store.lock.withLock(async () => {
      const { image } = await resolveImage(this.store.images, source);
      const tags = await this.store.images.tags();
      tags[formatReference(ref)] = image.id;
      await this.store.images.saveTags(tags);
    });
  }

  /**
   * Dangling images (no tag), or with `all` every image no container uses. As Docker: only
   * images without children are candidates, and deleting one also deletes the untagged
   * parents (build's intermediate images) nothing else needs.
   */
  async pruneImages(opts: { all?: boolean } = {}): Promise<PruneResult> {
    const containers = await this.runtime();
    const used = new Set((await containers.containers.list()).map((c) => c.imageId));
    const containersUsing = async (id: Digest) => (used.has(id) ? [id] : []);
    return this.store.lock.withLock(async () => {
      const entries: RemovalEntry[] = [];
      let reclaimed = 0;
      const all = await this.store.images.list();
      const parents = new Set(all.map((i) => i.parent));
      for (const image of all.filter((i) => !parents.has(i.id))) {
        if (used.has(image.id) || !(await this.store.images.get(image.id))) continue;
        const tags = await this.store.images.tags();
        const imageTags = tagsOf(tags, image.id);
        if (imageTags.length > 0 && !opts.all) continue;
        for (const t of imageTags) {
          delete tags[t];
          entries.push({ untagged: familiarTag(t) });
        }
        await this.store.images.saveTags(tags);
        for (const d of image.repoDigests) entries.push({ untagged: familiarTag(d) });
        const removed = [...(await deleteImage(this.store, image)), ...(await pruneParents(this.store, image, containersUsing))];
        entries.push(...removed);
        for (const r of removed) reclaimed += r.size ?? 0;
      }
      // What killed pulls, loads and builds left and nobody came back for.
      const orphans = await removeOrphans(this.store);
      entries.push(...orphans.entries);
      reclaimed += orphans.blobBytes;
      for (const r of orphans.entries) reclaimed += r.size ?? 0;
      return { entries, reclaimed };
    });
  }

  /**
   * `commit`: the container's layer (its overlay upper dir, without runc's mount points)
   * becomes a new image on top of the container's image, with the container's config and
   * the `-c` changes applied. A running container is paused meanwhile unless `pause` is false.
   */
  /** `cp CONTAINER:SRC DEST|-`: the source is read inside the container's root, never out of it. */
  async copyFromContainer(container: string, path: string, to: { hostPath: string } | { stream: NodeJS.WritableStream }, opts: CopyOptions = {}): Promise<CopyReport> {
    const copy = await import('./runtime/container-copy.js');
    return copy.copyFromContainer(await this.containerFsOpener(), container, path, to as { hostPath: string } | { stream: Writable }, opts);
  }

  /** `cp SRC|- CONTAINER:DEST`: the destination is written inside the container's root, never out of it. */
  async copyToContainer(container: string, path: string, from: { hostPath: string } | { stream: Readable }, opts: CopyOptions = {}): Promise<CopyReport> {
    const copy = await import('./runtime/container-copy.js');
    return copy.copyToContainer(await this.containerFsOpener(), container, path, from, opts);
  }

  private async containerFsOpener() {
    const [{ withContainerFs }, { containerLayerDirs }] = await Promise.all([import('./runtime/container-fs.js'), import('./runtime/container-layers.js')]);
    const manager = await this.runtime();
    return <T>(container: string, fn: (cfs: ContainerFs) => Promise<T>) => withContainerFs(manager, container, (rec) => containerLayerDirs(this.store, rec), (cfs) => fn(cfs));
  }

  async commit(container: string, opts: CommitOptions = {}): Promise<ImageRecord> {
    const [{ parseCommitChanges }, { applyConfigInstruction, envMap }, commitMod, { isInitPath }, { LowerView }] = await Promise.all([
      import('./build/commit-changes.js'),
      import('./build/config-instructions.js'),
      import('./images/image-commit.js'),
      import('./runtime/container-diff.js'),
      import('./fs/overlay-view.js'),
    ]);
    const changes = parseCommitChanges(opts.changes ?? []);
    const tags = opts.reference ? [formatReference(parseReference(opts.reference))] : [];
    const manager = await this.runtime();
    const rec = await manager.find(container);
    const image = await this.store.images.get(rec.imageId);
    if (!image) throw new ImageNotFoundError(rec.imageId);
    const imageConfig = await this.imageConfig(image);
    const containerConfig = commitMod.containerCommitConfig(imageConfig.config, rec);
    let config = containerConfig;
    const vars = envMap(config.Env);
    const state = { cmdSet: false };
    for (const change of changes) config = applyConfigInstruction(config, change, vars, state);
    const layerDirs = image.layers.map((l) => this.store.layers.diffPath(l.diffId)).reverse();
    const pause = opts.pause !== false && rec.state.status === 'running';
    if (pause) await manager.freezeForCommit(rec.id);
    try {
      return await commitMod.writeChildImage(this.store, {
        parent: { record: image, config: imageConfig },
        changes: { dir: manager.paths.upper(rec.id), tree: { overlay: true, exclude: isInitPath, lower: new LowerView(layerDirs) } },
        config,
        createdBy: commitMod.commitCreatedBy(containerConfig),
        author: opts.author,
        comment: opts.message,
        tags,
      });
    } finally {
      if (pause) await manager.thawAfterCommit(rec.id);
    }
  }

  /** `build`: Docker's legacy builder (see build/builder.ts); progress goes to `opts.onEvent`. */
  async build(opts: BuildOptions): Promise<BuildResult> {
    const { buildImage } = await import('./build/builder.js');
    await removeAbandonedBuildMounts(this.options.runRoot);
    return buildImage(
      {
        store: this.store,
        containers: () => this.runtime(),
        imageConfig: (image) => this.imageConfig(image),
        baseImage: (reference, onEvent) => this.imageForRun(reference, { onEvent }),
        runRoot: this.options.runRoot,
      },
      opts,
    );
  }

  async login(server: string, creds: Credentials): Promise<void> {
    const domain = loginDomain(server);
    await (await this.registry(domain, creds)).checkLogin(creds);
    await this.credentials.set(domain, creds);
  }

  async logout(server: string): Promise<boolean> {
    return this.credentials.remove(loginDomain(server));
  }

  /** A repository's remote tags, sorted. */
  async remoteTags(repository: string): Promise<string[]> {
    const ref = parseReference(repository);
    const tags = await (await this.registry(ref.domain)).listTags(ref.path);
    return tags.sort();
  }

  async catalog(domain: string): Promise<string[]> {
    return (await this.registry(loginDomain(domain))).catalog();
  }

  /** The manifest digest a remote tag points to now (a HEAD request), to compare with repoDigests. */
  async remoteDigest(repository: string, tag: string): Promise<Digest> {
    const ref = parseReference(repository);
    return (await this.registry(ref.domain)).manifestDigest(ref.path, tag);
  }

  /** docker.io, the config's insecure registries, those logged in to and those of local images. */
  async knownRegistries(): Promise<KnownRegistry[]> {
    const [loggedIn, images] = await Promise.all([this.credentials.registries().catch(() => []), this.images()]);
    return knownRegistries(this.config, loggedIn, images.map((i) => i.repository).filter((r) => r !== '<none>'));
  }
}

/** `tsdock login` takes a registry host (maybe as a URL); no server means Docker Hub. */
export function loginDomain(server: string | undefined): string {
  if (!server) return 'docker.io';
  const host = server.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
