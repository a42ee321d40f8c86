import { runRequest, type Engine, type StatsSampler } from '../../core/index.js';
import type { UiBackend } from './ui-backend.js';

/**
 * The UiBackend over the real Engine. This module is the TUI's only door to the engine; the UI
 * itself never touches the file system or spawns a process (watching the store and following
 * logs are the engine's too).
 */
export function engineBackend(engine: Engine): UiBackend {
  const containers = () => engine.containers();
  // One sampler for the app's life: it keeps the previous reading for the CPU share.
  let sampler: Promise<StatsSampler> | undefined;
  return {
    keymapOverrides: engine.keymapConfig(),
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
    inspectContainer: async (id) => (await containers()).inspect(id),
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
    async sampleStats(list) {
      sampler ??= containers().then((c) => c.statsSampler());
      return (await sampler).sample(list);
    },
    attach: async (id, size) => (await containers()).attachPane(id, size),
    openShell: async (id, size, cmd) => (await containers()).shell(id, { cols: size.cols, rows: size.rows, cmd }),
  };
}
