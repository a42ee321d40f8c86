import type { ContainerRecord } from '../../core/runtime/container-record.js';
import type { ImageSummary } from '../../core/engine.js';
import type { AppState, PaneId } from './app-state.js';
import { imageMatcherFor, matchesContainerQuery, matchesImageQuery, parseContainerQuery } from './list-filter.js';

/** A repository the user has images of, with its registry and local tags. */
export interface RepositoryRow {
  registry: string;
  repository: string;
  tags: string[];
}

/** The key of an image row (an image can be listed under several tags). */
export function imageKey(i: ImageSummary): string {
  return `${i.id}\t${i.repository}:${i.tag}`;
}

/** What `rmi` takes for an image row: the tag, or the ID of an untagged image. */
export function imageRef(i: ImageSummary): string {
  return i.tag === '<none>' || i.repository === '<none>' ? i.id : `${i.repository}:${i.tag}`;
}

/** Docker's rule: a first path component with a dot or colon (or `localhost`) is a registry. */
export function registryOf(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

// Single-entry caches: the reducer and the views ask for the same rows many times per key press.
function memo<A extends readonly unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let lastArgs: A | undefined;
  let last: R;
  return (...args: A) => {
    if (lastArgs && lastArgs.length === args.length && lastArgs.every((a, i) => a === args[i])) return last;
    lastArgs = args;
    last = fn(...args);
    return last;
  };
}

/** Newest first, as `ps` lists them. */
export const sortedContainers = memo((containers: ContainerRecord[]): ContainerRecord[] =>
  [...containers].sort((a, b) => b.created.localeCompare(a.created) || a.name.localeCompare(b.name)),
);

const filterContainers = memo((containers: ContainerRecord[], images: ImageSummary[], filter: string): ContainerRecord[] => {
  const sorted = sortedContainers(containers);
  if (filter.trim() === '') return sorted;
  const q = parseContainerQuery(filter);
  const matcher = imageMatcherFor(images);
  return sorted.filter((c) => matchesContainerQuery(q, c, matcher));
});

const filterImages = memo((images: ImageSummary[], filter: string): ImageSummary[] => images.filter((i) => matchesImageQuery(filter, i)));

const repositoriesOf = memo((images: ImageSummary[], filter: string): RepositoryRow[] => {
  const byRepo = new Map<string, RepositoryRow>();
  for (const i of images) {
    if (i.repository === '<none>') continue;
    const row = byRepo.get(i.repository) ?? { registry: registryOf(i.repository), repository: i.repository, tags: [] };
    if (i.tag !== '<none>' && !row.tags.includes(i.tag)) row.tags.push(i.tag);
    byRepo.set(i.repository, row);
  }
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return [...byRepo.values()]
    .map((r) => ({ ...r, tags: r.tags.sort() }))
    .filter((r) => words.every((w) => `${r.registry} ${r.repository}`.toLowerCase().includes(w)))
    .sort((a, b) => a.registry.localeCompare(b.registry) || a.repository.localeCompare(b.repository));
});

export function visibleContainers(state: AppState): ContainerRecord[] {
  return filterContainers(state.containers, state.images, state.panes.containers.filter);
}

export function visibleImages(state: AppState): ImageSummary[] {
  return filterImages(state.images, state.panes.images.filter);
}

export function visibleRepositories(state: AppState): RepositoryRow[] {
  return repositoriesOf(state.images, state.panes.repositories.filter);
}

/** Keys of the visible rows of a pane, in display order. */
export function visibleKeys(state: AppState, pane: PaneId): string[] {
  switch (pane) {
    case 'containers':
      return visibleContainers(state).map((c) => c.id);
    case 'images':
      return visibleImages(state).map(imageKey);
    case 'repositories':
      return visibleRepositories(state).map((r) => r.repository);
  }
}

export function selectedContainer(state: AppState): ContainerRecord | undefined {
  return visibleContainers(state)[state.panes.containers.selected];
}

export function selectedImage(state: AppState): ImageSummary | undefined {
  return visibleImages(state)[state.panes.images.selected];
}
