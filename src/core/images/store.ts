import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from './content-store.js';
import { ImageStore } from './image-store.js';
import { LayerStore } from './layer-store.js';
import { StoreLock } from '../store/store-lock.js';

/**
 * Everything tsdock keeps under its root directory. Opening it also removes what a process
 * killed mid-operation left behind (partial blobs, half-unpacked layers), so every command
 * starts from a consistent store.
 */
export class Store {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly images: ImageStore;
  readonly lock: StoreLock;

  private constructor(readonly root: string) {
    this.content = new ContentStore(root);
    this.layers = new LayerStore(root);
    this.images = new ImageStore(root);
    this.lock = new StoreLock(join(root, 'lock'));
  }

  static async open(root: string): Promise<Store> {
    await mkdir(root, { recursive: true, mode: 0o711 });
    const store = new Store(root);
    await Promise.all([store.content.init(), store.layers.init(), store.images.init()]);
    await Promise.all([store.content.removeAbandonedIngests(), store.layers.removeAbandoned()]);
    return store;
  }
}
