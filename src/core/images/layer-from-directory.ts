import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { importLayer, type ImportedLayer } from './layer-import.js';
import { collectLayerEntries, layerTarStream, type LayerTreeOptions } from './layer-tar-writer.js';
import { MediaType } from '../oci/media-types.js';
import type { Store } from './store.js';

/**
 * Makes a layer of a directory of changes (commit: a container's upper dir; build: a RUN's
 * upper dir or the files a COPY staged): a gzip tar that goes through importLayer like a
 * pulled blob, so the layer lands in the content store and the layer store alike.
 * Resolves undefined when the directory holds no change: Docker then adds no layer, only a
 * history entry marked empty_layer.
 */
export async function importDirectoryLayer(store: Store, dir: string, opts: LayerTreeOptions = {}): Promise<ImportedLayer | undefined> {
  const entries = await collectLayerEntries(dir, opts);
  if (entries.length === 0) return undefined;
  const gzip = createGzip({ level: 6 });
  // The tar is produced while importLayer consumes it; an error reading a file destroys gzip,
  // which makes importLayer fail and discard what it stored.
  const producing = pipeline(layerTarStream(entries, dir), gzip).catch((err: unknown) => err as Error);
  const imported = await importLayer(store, gzip, { mediaType: MediaType.dockerLayerGzip }).catch(async (err: unknown) => {
    await producing; // settled: nothing reads the directory any more
    throw err;
  });
  const produceError = await producing;
  if (produceError) throw produceError;
  return imported;
}
