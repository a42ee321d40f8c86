import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Digest } from '../oci/digest.js';
import type { ContainerDefaults, ImageConfig } from '../images/image-config.js';
import type { ImageRecord } from '../images/image-record.js';
import { writeChildImage } from '../images/image-commit.js';
import { formatReference, parseReference } from '../oci/reference.js';
import { familiarTag } from '../images/image-resolver.js';
import { isInitPath } from '../runtime/container-diff.js';
import { LowerView } from '../fs/overlay-view.js';
import type { ContainerManager } from '../runtime/container-manager.js';
import type { NetworkMode } from '../runtime/container-record.js';
import { mountRootfs, unmountRootfs } from '../runtime/rootfs-mount.js';
import { tempName } from '../store/atomic-file.js';
import type { Store } from '../images/store.js';
import { countSteps, findStage, parseDockerfile, type Instruction, type InstructionOf, type ParsedDockerfile, type Stage } from './dockerfile.js';
import { expandWord } from './variable-expansion.js';
import { parseDockerignore, type IgnoreMatcher } from './dockerignore.js';
import { hashCopySources, listCopyTree, resolveCopySources } from './copy-sources.js';
import { applyConfigInstruction, envMap, isConfigInstruction, resolveWorkdir, shellArgv, type ConfigState } from './config-instructions.js';
import { BuildCache, stepCacheKey } from './build-cache.js';
import { BuildCancelledError, runStepContainer } from './build-step-runner.js';
import { copyIntoRoot, CopyStepError, parseChmod, readImageFile, resolveChown, restoreCopiedUpTimes, rootOwnedDir, type Owner } from './copy-step.js';
import { withLayerOverlay } from './layer-overlay.js';
import { release, RootedFs } from '../fs/rooted-fs.js';
import type { BuildListener } from './build-events.js';
import type { PullListener } from '../images/pull-events.js';
import { BuildStepError, RunStepFailedError } from './build-errors.js';

export { BuildCancelledError };

export { BuildStepError, RunStepFailedError };

export interface BuildOptions {
  contextDir: string;
  /** Default: CONTEXT/Dockerfile. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  target?: string;
  network?: NetworkMode;
  signal?: AbortSignal;
  onEvent?: BuildListener;
}

export interface BuildResult {
  imageId: Digest;
  tags: string[];
}

/** What the builder needs from the engine. */
export interface BuilderDeps {
  store: Store;
  containers(): Promise<ContainerManager>;
  imageConfig(image: ImageRecord): Promise<ImageConfig>;
  /** A FROM image by reference: the local one, else pulled. */
  baseImage(reference: string, onEvent: PullListener): Promise<ImageRecord>;
  /** Where --from stage roots are mounted while a COPY reads them (volatile state). */
  runRoot: string;
}

interface StageState {
  stage: Stage;
  image?: ImageRecord;
  config: ContainerDefaults;
  /** ARGs declared in this stage: their values (undefined when declared without one). */
  args: Record<string, string | undefined>;
  configState: ConfigState;
}

const SCRATCH = 'scratch';

/**
 * Docker's legacy builder over tsdock's store and runtime: every instruction is a step whose
 * result is an image (parent: the previous step's), RUN runs in a real container, COPY/ADD
 * stage files into a layer, the rest only change the config. Steps are cached by parent image
 * and inputs; a failure or cancellation leaves no container, mount or temp dir behind.
 */
export async function buildImage(deps: BuilderDeps, opts: BuildOptions): Promise<BuildResult> {
  const b = new Builder(deps, opts);
  return b.run();
}

class Builder {
  private readonly emit: BuildListener;
  private readonly cache: BuildCache;
  private readonly contextDir: string;
  private df!: ParsedDockerfile;
  private ignore?: IgnoreMatcher;
  private readonly metaArgs: Record<string, string | undefined> = {};
  private readonly consumedArgs = new Set<string>();
  /** Final image of each built stage, by index. */
  private readonly stageImages = new Map<number, ImageRecord | undefined>();
  private step = 0;
  private total = 0;

  constructor(
    private readonly deps: BuilderDeps,
    private readonly opts: BuildOptions,
  ) {
    this.emit = opts.onEvent ?? (() => {});
    this.cache = new BuildCache(deps.store);
    this.contextDir = resolve(opts.contextDir);
  }

  async run(): Promise<BuildResult> {
    const tags = (this.opts.tags ?? []).map((t) => formatReference(parseReference(t)));
    // Any failure to stat the context is reported as Docker words it, just below.
    const st = await lstat(this.contextDir).catch(() => undefined);
    if (!st?.isDirectory()) throw new BuildStepError(`unable to prepare context: path "${this.opts.contextDir}" not found or not a directory`);
    const dockerfilePath = this.opts.dockerfile ? resolve(this.opts.dockerfile) : join(this.contextDir, 'Dockerfile');
    // Any failure to read the Dockerfile becomes the build's own error.
    const text = await readFile(dockerfilePath, 'utf8').catch(() => {
      throw new BuildStepError(`unable to prepare context: unable to read the Dockerfile ${dockerfilePath}: no such file; give its path with -f`);
    });
    this.df = parseDockerfile(text);
    if (this.df.stages.length === 0) throw new BuildStepError('the Dockerfile has no FROM instruction: a build needs at least one stage');
    // No readable .dockerignore: nothing is excluded, as in Docker.
    const ignoreText = await readFile(join(this.contextDir, '.dockerignore'), 'utf8').catch(() => undefined);
    this.ignore = ignoreText !== undefined ? parseDockerignore(ignoreText) : undefined;
    const target = this.opts.target !== undefined ? findStage(this.df, this.opts.target) : this.df.stages.at(-1);
    if (!target) throw new BuildStepError(`failed to reach build target ${this.opts.target} in Dockerfile`);
    this.total = countSteps(this.df, target);

    this.emit({ type: 'context', bytes: await this.contextSize() });
    for (const meta of this.df.metaArgs) {
      this.beginStep(meta.text);
      const given = this.opts.buildArgs?.[meta.name];
      if (given !== undefined) this.consumedArgs.add(meta.name);
      this.metaArgs[meta.name] = given ?? (meta.defaultValue !== undefined ? this.expand(meta.defaultValue, this.definedMeta(), meta.line) : undefined);
    }
    let last: StageState | undefined;
    for (const stage of this.df.stages.slice(0, target.index + 1)) {
      last = await this.buildStage(stage);
      this.stageImages.set(stage.index, last.image);
    }
    const final = last?.image;
    if (!final) throw new BuildStepError('No image was generated. Is your Dockerfile empty?');
    const unused = Object.keys(this.opts.buildArgs ?? {}).filter((k) => !this.consumedArgs.has(k));
    if (unused.length) this.emit({ type: 'warning', message: `[Warning] One or more build-args [${unused.join(' ')}] were not consumed` });
    this.emit({ type: 'built', imageId: final.id });
    if (tags.length) {
      await this.deps.store.lock.withLock(async () => {
        if (!(await this.deps.store.images.get(final.id))) throw new BuildStepError(`image ${final.id} was removed while the build ran`);
        const map = await this.deps.store.images.tags();
        for (const t of tags) map[t] = final.id;
        await this.deps.store.images.saveTags(map);
      });
      for (const t of tags) this.emit({ type: 'tagged', reference: familiarTag(t) });
    }
    return { imageId: final.id, tags };
  }

  private beginStep(text: string): void {
    if (this.opts.signal?.aborted) throw new BuildCancelledError();
    this.step++;
    this.emit({ type: 'step', step: this.step, total: this.total, text });
  }

  private definedMeta(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.metaArgs).filter((e): e is [string, string] => e[1] !== undefined));
  }

  private expand(word: string, vars: Record<string, string>, line: number): string {
    try {
      return expandWord(word, vars, this.df.escapeChar);
    } catch (err) {
      throw new BuildStepError(`Dockerfile:${line}: ${(err as Error).message}`, line);
    }
  }

  /** The variables instructions expand with: the stage's ARGs, overridden by its ENV. */
  private vars(s: StageState): Record<string, string> {
    const args = Object.fromEntries(Object.entries(s.args).filter((e): e is [string, string] => e[1] !== undefined));
    return { ...args, ...envMap(s.config.Env) };
  }

  private async contextSize(): Promise<number> {
    const context = await RootedFs.open(this.contextDir);
    try {
      const [root] = await resolveCopySources(context, ['.'], undefined);
      let bytes = 1024;
      for (const e of await listCopyTree(context, root!, this.ignore)) bytes += 512 + Math.ceil(e.size / 512) * 512;
      return bytes;
    } finally {
      await context.close();
    }
  }

  private async buildStage(stage: Stage): Promise<StageState> {
    this.beginStep(stage.from.text);
    const base = this.expand(stage.baseImage, this.definedMeta(), stage.from.line);
    const s: StageState = { stage, config: {}, args: {}, configState: { cmdSet: false } };
    const earlier = this.df.stages.find((o) => o.index < stage.index && o.name !== undefined && o.name === base.toLowerCase());
    if (earlier) {
      s.image = this.stageImages.get(earlier.index);
    } else if (base.toLowerCase() !== SCRATCH) {
      try {
        s.image = await this.deps.baseImage(base, (event) => this.emit({ type: 'pull', reference: base, event }));
      } catch (err) {
        throw new BuildStepError(`${(err as Error).message}`, stage.from.line);
      }
    }
    if (s.image) s.config = (await this.deps.imageConfig(s.image)).config ?? {};
    if (s.config.OnBuild?.length) this.emit({ type: 'warning', message: `[Warning] the base image's ONBUILD triggers are not run by tsdock: ${s.config.OnBuild.join('; ')}` });
    this.emit({ type: 'step-done', imageId: s.image ? s.image.id.slice(7, 19) : '' });
    for (const instr of stage.instructions) {
      this.beginStep(instr.text);
      try {
        await this.dispatch(s, instr);
      } catch (err) {
        if (err instanceof BuildStepError || err instanceof BuildCancelledError) throw err;
        throw new BuildStepError(`Dockerfile:${instr.line}: ${instr.text}: ${(err as Error).message}`, instr.line);
      }
      this.emit({ type: 'step-done', imageId: s.image ? s.image.id.slice(7, 19) : '' });
    }
    return s;
  }

  private async dispatch(s: StageState, instr: Instruction): Promise<void> {
    switch (instr.kind) {
      case 'ARG':
        return this.arg(s, instr);
      case 'RUN':
        return this.runStep(s, instr);
      case 'COPY':
      case 'ADD':
        return this.copyStep(s, instr);
      case 'WORKDIR':
        return this.workdirStep(s, instr);
      case 'MAINTAINER':
        return this.configStep(s, instr, (c) => c, instr.args);
      case 'FROM':
        throw new BuildStepError(`Dockerfile:${instr.line}: unexpected FROM`, instr.line);
      default:
        if (!isConfigInstruction(instr)) {
          const other = instr as Instruction;
          throw new BuildStepError(`Dockerfile:${other.line}: ${other.kind} is not supported by tsdock build`, other.line);
        }
        return this.configStep(s, instr, (c) => applyConfigInstruction(c, instr, this.vars(s), s.configState, this.df.escapeChar), this.describeExpanded(instr, this.vars(s)));
    }
  }

  /** The instruction for the history, its variables expanded as Docker's builder records it. */
  private describeExpanded(instr: Instruction, vars: Record<string, string>): string {
    const x = (w: string) => this.expand(w, vars, instr.line);
    switch (instr.kind) {
      case 'ENV':
      case 'LABEL':
        return `${instr.kind} ${instr.pairs.map(([k, v]) => `${x(k)}=${x(v)}`).join(' ')}`;
      case 'USER':
        return `USER ${x(instr.user)}`;
      case 'STOPSIGNAL':
        return `STOPSIGNAL ${x(instr.signal)}`;
      case 'EXPOSE':
        return `EXPOSE ${instr.ports.map(x).join(' ')}`;
      case 'VOLUME':
        return `VOLUME [${instr.paths.map(x).join(' ')}]`;
      default:
        return instr.text;
    }
  }

  // ---- steps ----

  /** Looks the step up in the cache; on a miss runs `make` and records what it made. */
  private async cached(s: StageState, key: Digest, make: () => Promise<ImageRecord>): Promise<void> {
    const hit = this.opts.noCache ? undefined : await this.cache.lookup(key);
    if (hit) {
      const image = await this.deps.store.images.get(hit);
      if (image) {
        this.emit({ type: 'cache-hit' });
        s.image = image;
        s.config = (await this.deps.imageConfig(image)).config ?? {};
        return;
      }
    }
    const made = await make();
    await this.cache.record(key, made.id);
    s.image = made;
    s.config = (await this.deps.imageConfig(made)).config ?? {};
  }

  private async parent(s: StageState): Promise<{ record: ImageRecord; config: ImageConfig } | undefined> {
    return s.image ? { record: s.image, config: await this.deps.imageConfig(s.image) } : undefined;
  }

  private argsInScope(s: StageState): Record<string, string> {
    return Object.fromEntries(Object.entries(s.args).filter((e): e is [string, string] => e[1] !== undefined));
  }

  private async arg(s: StageState, instr: InstructionOf<'ARG'>): Promise<void> {
    const given = this.opts.buildArgs?.[instr.name];
    if (given !== undefined) this.consumedArgs.add(instr.name);
    const value = given ?? (instr.defaultValue !== undefined ? this.expand(instr.defaultValue, this.vars(s), instr.line) : this.metaArgs[instr.name]);
    s.args[instr.name] = value;
    await this.configStep(s, instr, (c) => c, `ARG ${instr.name}${value !== undefined ? `=${value}` : ''}`);
  }

  /** A step that changes only the config: an image with the same layers and one more history entry. */
  private async configStep(s: StageState, instr: Instruction, change: (c: ContainerDefaults) => ContainerDefaults, describe = instr.text): Promise<void> {
    const config = change(s.config);
    const key = stepCacheKey({ parent: s.image?.id ?? '', instruction: JSON.stringify([describe, config]), args: this.argsInScope(s) });
    await this.cached(s, key, async () =>
      writeChildImage(this.deps.store, { parent: await this.parent(s), config, createdBy: `/bin/sh -c #(nop)  ${describe}`, author: instr.kind === 'MAINTAINER' ? instr.args : undefined }),
    );
    if (instr.kind === 'CMD') s.configState.cmdSet = true;
  }

  private async runStep(s: StageState, instr: InstructionOf<'RUN'>): Promise<void> {
    const argv = instr.run.form === 'exec' ? instr.run.argv : shellArgv(s.config, instr.run.command);
    // Build args reach the command as variables unless ENV sets the same name (ENV wins).
    const env = envMap(s.config.Env);
    const args = Object.entries(this.argsInScope(s))
      .filter(([k]) => !(k in env))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const prefix = args.length ? `|${args.length} ${args.map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
    const createdBy = `${prefix}${argv.join(' ')}`;
    const image = s.image;
    if (!image) throw new BuildStepError(`Dockerfile:${instr.line}: ${instr.text}: the stage is FROM scratch with no files yet, so there is nothing to run`, instr.line);
    const key = stepCacheKey({ parent: image.id, instruction: `RUN ${JSON.stringify(argv)}`, args: Object.fromEntries(args) });
    await this.cached(s, key, async () => {
      const manager = await this.deps.containers();
      const parent = await this.parent(s);
      const lower = new LowerView(image.layers.map((l) => this.deps.store.layers.diffPath(l.diffId)).reverse());
      const { exitCode, result } = await runStepContainer(
        manager,
        { image, argv, env: args.map(([k, v]) => `${k}=${v}`), network: this.opts.network ?? 'bridge', signal: this.opts.signal, onEvent: this.emit },
        (upper) => writeChildImage(this.deps.store, { parent, changes: { dir: upper, tree: { overlay: true, exclude: isInitPath, lower } }, config: s.config, createdBy }),
      );
      if (exitCode !== 0 || !result) {
        throw new RunStepFailedError(`The command '${argv.join(' ')}' returned a non-zero code: ${exitCode}\n(Dockerfile line ${instr.line}: ${instr.text})`, instr.line);
      }
      return result;
    });
  }

  private async copyStep(s: StageState, instr: InstructionOf<'COPY' | 'ADD'>): Promise<void> {
    const vars = this.vars(s);
    const x = (w: string) => this.expand(w, vars, instr.line);
    const sources = instr.sources.map(x);
    for (const src of sources) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) {
        if (instr.kind === 'ADD') throw new BuildStepError(`Dockerfile:${instr.line}: ADD ${src}: adding a URL is not supported by tsdock build; download the file into the build context and ADD or COPY it from there`, instr.line);
      }
    }
    const rawDest = x(instr.dest);
    const dest = (rawDest.startsWith('/') ? rawDest : resolveWorkdir(s.config.WorkingDir, rawDest)) + (rawDest.endsWith('/') && rawDest !== '/' ? '/' : '');
    const layersTopFirst = (s.image?.layers ?? []).map((l) => this.deps.store.layers.diffPath(l.diffId)).reverse();
    const lower = new LowerView(layersTopFirst);
    let owner: Owner = { uid: 0, gid: 0 };
    if (instr.chown !== undefined) {
      const spec = x(instr.chown);
      const needsNames = /[^0-9:]/.test(spec);
      owner = resolveChown(spec, needsNames ? await readImageFile(layersTopFirst, lower, '/etc/passwd') : undefined, needsNames ? await readImageFile(layersTopFirst, lower, '/etc/group') : undefined);
    }
    const mode = instr.chmod !== undefined ? parseChmod(x(instr.chmod)) : undefined;
    const describe = `${instr.kind} ${instr.chown !== undefined ? `--chown=${owner.uid}:${owner.gid} ` : ''}${mode !== undefined ? `--chmod=${mode.toString(8)} ` : ''}${sources.join(' ')} ${dest}`;

    await this.withSourceRoot(instr, async (from, ignore) => {
      const resolved = await resolveCopySources(from, sources, ignore, instr.kind).catch((err: Error) => {
        throw new BuildStepError(`Dockerfile:${instr.line}: ${err.message}`, instr.line);
      });
      const hash = await hashCopySources(from, resolved, ignore);
      // The sources hash covers what is copied, so a --from stage that was rebuilt with the same
      // files still hits (as Docker's content-based COPY cache).
      const key = stepCacheKey({ parent: s.image?.id ?? '', instruction: describe, sourcesHash: hash });
      await this.cached(s, key, async () => {
        const single = resolved.length === 1 ? await from.locate(resolved[0]!.path, { followLast: false }) : undefined;
        if (single) await release(single);
        const what = single && !single.stat?.isDirectory() ? 'file' : 'dir';
        const writtenDirs = new Set<string>();
        return this.writeLayer(
          s,
          layersTopFirst,
          (root) => copyIntoRoot(root, { instruction: instr.kind, from, sources: resolved, ignore, dest, owner, mode, writtenDirs }).catch((err: Error) => {
            if (err instanceof CopyStepError) throw err;
            throw new BuildStepError(`Dockerfile:${instr.line}: ${instr.kind} failed: ${err.message}`, instr.line);
          }),
          writtenDirs,
          `/bin/sh -c #(nop) ${instr.kind} ${what}:${hash.slice(7)} in ${dest} `,
          s.config,
        );
      });
    });
  }

  /**
   * A step's files as a layer: `write` fills the image's root as an overlay shows it (see
   * layer-overlay), and the overlay's upper dir becomes the child image's layer.
   */
  private async writeLayer(s: StageState, layersTopFirst: string[], write: (root: RootedFs) => Promise<void>, writtenDirs: Set<string>, createdBy: string, config: ContainerDefaults): Promise<ImageRecord> {
    const lower = new LowerView(layersTopFirst);
    return withLayerOverlay(
      { scratchParent: this.deps.store.layers.dir, mountParent: join(this.deps.runRoot, 'build') },
      layersTopFirst,
      write,
      async (upper) => {
        await restoreCopiedUpTimes(upper, lower, writtenDirs);
        return writeChildImage(this.deps.store, { parent: await this.parent(s), changes: { dir: upper, tree: { overlay: true, lower } }, config, createdBy });
      },
    );
  }

  /**
   * Runs `fn` with the tree COPY reads from, opened as a RootedFs: the context (with
   * .dockerignore), or for --from the root filesystem of an earlier stage or an image,
   * mounted meanwhile.
   */
  private async withSourceRoot(instr: InstructionOf<'COPY' | 'ADD'>, fn: (from: RootedFs, ignore: IgnoreMatcher | undefined) => Promise<void>): Promise<void> {
    const withTree = async (dir: string, ignore: IgnoreMatcher | undefined) => {
      const from = await RootedFs.open(dir);
      try {
        await fn(from, ignore);
      } finally {
        await from.close();
      }
    };
    if (instr.from === undefined) return withTree(this.contextDir, this.ignore);
    const from = this.expand(instr.from, this.definedMeta(), instr.line);
    let image: ImageRecord | undefined;
    const stage = findStage(this.df, from);
    if (stage) {
      if (!this.stageImages.has(stage.index)) throw new BuildStepError(`Dockerfile:${instr.line}: COPY --from=${from}: stage ${from} is not built before this one; name an earlier stage`, instr.line);
      image = this.stageImages.get(stage.index);
    } else {
      image = await this.deps.baseImage(from, (event) => this.emit({ type: 'pull', reference: from, event }));
    }
    const dir = tempName(join(this.deps.runRoot, 'build'), 'from');
    await mkdir(dir, { recursive: true });
    const merged = join(dir, 'merged');
    try {
      await mountRootfs({
        layerDirsTopFirst: (image?.layers ?? []).map((l) => this.deps.store.layers.diffPath(l.diffId)).reverse(),
        upper: join(dir, 'upper'),
        work: join(dir, 'work'),
        merged,
        linkDir: join(dir, 'l'),
      });
      await withTree(merged, undefined);
    } finally {
      await unmountRootfs(merged);
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async workdirStep(s: StageState, instr: InstructionOf<'WORKDIR'>): Promise<void> {
    const config = applyConfigInstruction(s.config, instr, this.vars(s), s.configState, this.df.escapeChar);
    const path = config.WorkingDir ?? '/';
    const key = stepCacheKey({ parent: s.image?.id ?? '', instruction: `WORKDIR ${path}`, args: this.argsInScope(s) });
    await this.cached(s, key, async () => {
      const layersTopFirst = (s.image?.layers ?? []).map((l) => this.deps.store.layers.diffPath(l.diffId)).reverse();
      const writtenDirs = new Set<string>();
      return this.writeLayer(s, layersTopFirst, async (root) => (await root.mkdirAll(path, rootOwnedDir)).close(), writtenDirs, `/bin/sh -c #(nop) WORKDIR ${path}`, config);
    });
  }
}
