import type { Engine } from '../../core/engine.js';
import { containerInspect } from '../../core/runtime/container-inspect.js';
import { execPty } from '../../core/runtime/exec-pty.js';
import type { UiBackend } from './ui-backend.js';
import { StatsSampler } from '../../core/runtime/container-stats.js';
import { runRequest } from '../../core/runtime/run-request.js';
import { openAttachSession } from '../../core/runtime/conmon-attach.js';

/**
 * The UiBackend over the real Engine. This module is the TUI's only door to the engine; the UI
 * itself never touches the file system or spawns a process (watching the store and following
 * logs are the engine's too).
 */
export function engineBackend(engine: Engine): UiBackend {
  const containers = () => engine.containers();
  // One sampler for the app's life: it keeps the previous reading for the CPU share.
  const sampler = new StatsSampler();
  return {
    keymapOverrides: engine.config.keymap ?? {},
    listContainers: async () => (await containers()).list(),
    listImages: () => engine.images(),
    async containerAction(verb, id) {
      const c = await containers();
      switch (verb) {
        case 'start':
          await c.start(id);
          return;
        case 'stop':
          await c.stop(id);
          return;
        case 'restart':
          await c.restart(id);
          return;
        case 'pause':
          await c.pause(id);
          return;
        case 'unpause':
          await c.unpause(id);
          return;
        case 'kill':
          await c.kill(id);
          return;
      }
    },
    async removeContainer(id, opts) {
      await (await containers()).remove(id, { force: opts.force });
    },
    async removeImage(ref) {
      const entries = await engine.removeImage(ref);
      return entries.flatMap((e) => [...(e.untagged ? [`Untagged: ${e.untagged}`] : []), ...(e.deleted ? [`Deleted: ${e.deleted}`] : [])]);
    },
    async inspectContainer(id) {
      const c = await containers();
      const rec = await c.find(id);
      const image = await engine.store.images.get(rec.imageId);
      const lowers = (image?.layers ?? []).map((l) => engine.store.layers.diffPath(l.diffId)).reverse();
      return containerInspect(rec, c.paths, (n) => c.volumes.dataPath(n), lowers);
    },
    inspectImage: (ref) => engine.inspectImage(ref),
    imageHistory: (ref) => engine.history(ref),
    tagImage: (source, target) => engine.tagImage(source, target),
    followLog: (id, onRecords, onError) => engine.followLog(id, onRecords, onError),
    watch: (onChange) => engine.watchChanges(onChange),
    knownRegistries: () => engine.knownRegistries(),
    catalog: (domain) => engine.catalog(domain),
    remoteTags: (repository) => engine.remoteTags(repository),
    remoteDigest: (repository, tag) => engine.remoteDigest(repository, tag),
    async pull(reference, onEvent) {
      const result = await engine.pull(reference, { onEvent });
      return { imageId: result.image.id, downloaded: result.downloaded };
    },
    async runContainer(spec) {
      // The same translation and calls as `tsdock run -d`: the image must be local (the form is
      // opened from the Images pane), the container is created, then started.
      const request = runRequest(spec.image, spec.cmd, spec.options);
      const image = await engine.imageForRun(spec.image, { pull: 'never' });
      const c = await containers();
      const rec = await c.create(image, request, spec.name);
      await c.start(rec.id);
      return { id: rec.id, name: rec.name };
    },
    sampleStats: (list) => sampler.sample(list),
    async attach(id, size) {
      const { socketPath, controlPath } = await (await containers()).attachTarget(id, { needTty: true });
      return openAttachSession({ socketPath, controlPath, cols: size.cols, rows: size.rows, command: ['attach'] });
    },
    async openShell(id, size, cmd) {
      return execPty(await containers(), id, { cols: size.cols, rows: size.rows, cmd });
    },
  };
}
