import { mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { ContainerRecord, ContainerSpecRequest } from './container-record.js';
import type { ContainerContext } from './container-context.js';
import { initialState } from './container-state-machine.js';
import { generateName, validateName } from './container-names.js';
import { newContainerId } from './container-id.js';
import { resolveProcessArgs } from './process-args.js';
import { buildEnv } from './environment.js';
import { trace } from '../trace.js';
import type { ImageRecord } from '../images/image-record.js';
import type { ImageConfig } from '../images/image-config.js';
import { TsdockError, type ErrorKind } from '../errors.js';

export class NameConflictError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message);
  }
}

/** What creating a record needs besides the shared context. */
export interface CreationDeps {
  /** The config of the container's image (its Cmd, Env, Volumes, ...). */
  imageConfig(image: ImageRecord): Promise<ImageConfig>;
  /** A container by name or ID, for `--network container:NAME`. */
  find(query: string): Promise<ContainerRecord>;
}

/**
 * Creates a container's record from an image and a request: the image's defaults applied, anonymous
 * volumes and network settings planned, a unique name allocated under the store lock.
 */
export async function createContainer(ctx: ContainerContext, deps: CreationDeps, image: ImageRecord, req: ContainerSpecRequest, name?: string): Promise<ContainerRecord> {
  trace('create');
  const config = await deps.imageConfig(image);
  const defaults = config.config ?? {};
  const { path, args } = resolveProcessArgs(defaults, { entrypoint: req.entrypoint, cmd: req.cmd });
  const id = newContainerId();
  // --network container:NAME names the container it joins by ID from now on.
  const joined = req.network === 'container' ? await deps.find(req.networkContainer ?? '') : undefined;
  // Docker: with --network host the container is named as the host unless -h says otherwise,
  // and one that joins another's network takes that one's name.
  const hostname = req.hostname ?? (req.network === 'host' ? osHostname() : joined ? joined.hostname : id.slice(0, 12));
  const anonymous = Object.keys(defaults.Volumes ?? {})
    .filter((dest) => !req.volumes.some((v) => v.destination === dest) && !req.binds.some((b) => b.destination === dest))
    .map((destination) => ({ name: newContainerId(), destination, readOnly: false, anonymous: true }));
  const request: ContainerSpecRequest = {
    ...req,
    volumes: [...req.volumes, ...anonymous],
    ...(await ctx.networking.completeRequest(req, defaults.ExposedPorts)),
    ...(joined && { networkContainer: joined.id }),
  };
  const rec: ContainerRecord = {
    id,
    name: '',
    imageId: image.id,
    created: new Date().toISOString(),
    request,
    path,
    args,
    env: buildEnv(defaults.Env, req.env, { hostname, tty: req.tty }),
    workdir: req.workdir || defaults.WorkingDir || '/',
    user: req.user ?? defaults.User ?? '',
    hostname,
    stopSignal: req.stopSignal ?? defaults.StopSignal ?? 'SIGTERM',
    state: initialState(),
    restartCount: 0,
    monitor: 'conmon',
    ownerPid: 0,
    runRoot: ctx.paths.runRoot,
  };
  await mkdir(ctx.paths.containerDir(id), { recursive: true, mode: 0o711 });
  // Names must be unique across processes: allocate under the store lock.
  await ctx.store.lock.withLock(async () => {
    const taken = new Set((await ctx.containers.list()).map((c) => c.name));
    if (name !== undefined) {
      const wanted = validateName(name);
      if (taken.has(wanted)) {
        const other = (await ctx.containers.list()).find((c) => c.name === wanted)!;
        throw new NameConflictError(`Conflict. The container name "/${wanted}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      rec.name = wanted;
    } else rec.name = generateName((n) => taken.has(n), undefined, id);
    await ctx.containers.put(rec);
  }).catch(async (err) => {
    await ctx.containers.removeDir(id);
    throw err;
  });
  return rec;
}
