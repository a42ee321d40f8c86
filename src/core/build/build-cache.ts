import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest, type Digest } from '../oci/digest.js';
import { writeJsonAtomic } from '../store/atomic-file.js';
import type { Store } from '../images/store.js';

/** What a build step's result depends on; equal inputs give the same cache key. */
export interface StepCacheInput {
  /** The image the step starts from ('' for FROM scratch). */
  parent: string;
  /** The instruction with its words expanded, e.g. `COPY app /srv/app`. */
  instruction: string;
  /** COPY/ADD: the hash of what the sources hold (content, modes, names). */
  sourcesHash?: string;
  /** RUN: the build args in scope, which the command sees as variables. */
  args?: Record<string, string>;
}

/** The cache key of a step: a digest over its inputs in a fixed order. */
export function stepCacheKey(input: StepCacheInput): Digest {
  const args = Object.entries(input.args ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Digest(JSON.stringify([input.parent, input.instruction, input.sourcesHash ?? '', args]));
}

type CacheMap = Record<string, Digest>;

/**
 * Step cache key -> the image the step produced, kept in the store (build-cache.json). A hit
 * counts only while that image still exists; entries of deleted images are dropped on the
 * next write. Writes happen under the store lock and are atomic.
 */
export class BuildCache {
  private readonly file: string;

  constructor(private readonly store: Store) {
    this.file = join(store.root, 'build-cache.json');
  }

  private async read(): Promise<CacheMap> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as CacheMap;
    } catch {
      return {}; // missing (or torn by an older writer): an empty cache is always correct
    }
  }

  /** The image cached for the key, if it is still in the store. */
  async lookup(key: Digest): Promise<Digest | undefined> {
    const id = (await this.read())[key];
    if (!id) return undefined;
    return (await this.store.images.get(id)) ? id : undefined;
  }

  async record(key: Digest, imageId: Digest): Promise<void> {
    await this.store.lock.withLock(async () => {
      const map = await this.read();
      map[key] = imageId;
      const live = new Set((await this.store.images.list()).map((i) => i.id));
      for (const [k, v] of Object.entries(map)) if (!live.has(v)) delete map[k];
      await writeJsonAtomic(this.file, map);
    });
  }
}
