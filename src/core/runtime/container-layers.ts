import type { Store } from '../images/store.js';
import type { ContainerRecord } from './container-record.js';
import { TsdockError } from '../errors.js';

/** The unpacked layer directories of a container's image, topmost first (overlay lowerdir order). */
export async function containerLayerDirs(store: Store, rec: ContainerRecord): Promise<string[]> {
  const image = await store.images.get(rec.imageId);
  if (!image) throw new TsdockError('not-found', `the image of container ${rec.name} (${rec.imageId}) is gone`);
  return image.layers.map((l) => store.layers.diffPath(l.diffId)).reverse();
}
