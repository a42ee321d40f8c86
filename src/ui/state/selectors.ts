import { type ContainerRecord, statusText, createdSince, type ImageSummary, type KnownRegistry, catalogSupported, registryOfRepository, repositoryName } from '../../core/index.js';
import type { AppState, PaneId } from './app-state.js';
import { digestKey, type RemoteState } from './remote-state.js';
import { imageMatcherFor, matchesContainerQuery, matchesImageQuery, parseContainerQuery } from './list-filter.js';

/**
 * A row of the Repositories pane: a registry, followed by its repositories (from its catalog,
 * local images and the ones the user typed).
 */
export type RepositoryRow =
  | { kind: 'registry'; key: string; registry: string; note: string }
  | { kind: 'repository'; key: string; registry: string; repository: string; localTags: string[] };

/** A remote tag of the selected repository, with how it relates to the local images. */
export interface TagRow {
  tag: string;
  /** An image of this repository has this tag locally. */
  local: boolean;
  /** The registry's manifest digest differs from the local image's: a pull brings something new. */
  update: boolean;
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

const SOURCE_LABELS: Record<KnownRegistry['sources'][number], string> = { default: 'default', insecure: 'insecure', login: 'logged in', images: 'local images' };

function registryNote(r: KnownRegistry, remote: RemoteState): string {
  const why = r.sources.map((s) => SOURCE_LABELS[s]).join(', ');
  if (!catalogSupported(r.domain)) return `${why} · no catalog: + adds a repository`;
  const c = remote.catalogs[r.domain];
  if (!c) return why;
  if (c.status === 'loading') return `${why} · catalog loading…`;
  if (c.status === 'error') return `${why} · no catalog (${c.error})`;
  return `${why} · catalog: ${c.value.length}`;
}

const repositoriesOf = memo((images: ImageSummary[], remote: RemoteState, filter: string): RepositoryRow[] => {
  // Registries: the configured ones, plus those of local images and typed repositories.
  const registries = new Map<string, KnownRegistry>();
  for (const r of remote.registries ?? [{ domain: 'docker.io', sources: ['default'] }]) registries.set(r.domain, { domain: r.domain, sources: [...r.sources] });
  const addSource = (domain: string, source: KnownRegistry['sources'][number]) => {
    const r = registries.get(domain) ?? { domain, sources: [] };
    if (!r.sources.includes(source)) r.sources.push(source);
    registries.set(domain, r);
  };
  const localTags = new Map<string, string[]>();
  for (const i of images) {
    if (i.repository === '<none>') continue;
    const tags = localTags.get(i.repository) ?? [];
    if (i.tag !== '<none>' && !tags.includes(i.tag)) tags.push(i.tag);
    localTags.set(i.repository, tags);
  }
  const reposByRegistry = new Map<string, Set<string>>();
  const addRepo = (repository: string) => {
    let domain: string;
    // A local name that is no registry reference (e.g. `<none>`) has no registry to list it under.
    try {
      domain = registryOfRepository(repository);
    } catch {
      return;
    }
    if (!registries.has(domain)) addSource(domain, 'images');
    reposByRegistry.set(domain, (reposByRegistry.get(domain) ?? new Set()).add(repository));
  };
  for (const repo of localTags.keys()) addRepo(repo);
  for (const repo of remote.typed) addRepo(repo);
  for (const [domain, c] of Object.entries(remote.catalogs)) {
    if (c.status !== 'loaded') continue;
    for (const path of c.value) {
      try {
        addRepo(repositoryName(domain, path));
      } catch {
        // A catalog entry that is no valid name: nothing to pull from it.
      }
    }
  }
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (text: string) => words.every((w) => text.toLowerCase().includes(w));
  const ordered = [...registries.values()].sort((a, b) => (a.domain === 'docker.io' ? -1 : b.domain === 'docker.io' ? 1 : a.domain.localeCompare(b.domain)));
  const rows: RepositoryRow[] = [];
  for (const r of ordered) {
    const repos = [...(reposByRegistry.get(r.domain) ?? [])].sort().filter((repo) => matches(`${r.domain} ${repo}`));
    if (words.length > 0 && repos.length === 0 && !matches(r.domain)) continue;
    rows.push({ kind: 'registry', key: `registry\t${r.domain}`, registry: r.domain, note: registryNote(r, remote) });
    for (const repo of repos) rows.push({ kind: 'repository', key: repo, registry: r.domain, repository: repo, localTags: (localTags.get(repo) ?? []).sort() });
  }
  return rows;
});

export function visibleContainers(state: AppState): ContainerRecord[] {
  return filterContainers(state.containers, state.images, state.panes.containers.filter);
}

export function visibleImages(state: AppState): ImageSummary[] {
  return filterImages(state.images, state.panes.images.filter);
}

export function visibleRepositories(state: AppState): RepositoryRow[] {
  return repositoriesOf(state.images, state.remote, state.panes.repositories.filter);
}

/** The repository under the cursor in the Repositories pane (not a registry row). */
export function selectedRepository(state: AppState): Extract<RepositoryRow, { kind: 'repository' }> | undefined {
  const row = visibleRepositories(state)[state.panes.repositories.selected];
  return row?.kind === 'repository' ? row : undefined;
}

/** The registry of the row under the cursor in the Repositories pane. */
export function selectedRegistry(state: AppState): string | undefined {
  return visibleRepositories(state)[state.panes.repositories.selected]?.registry;
}

/** Local digest (the repoDigest recorded at pull) of each local tag of a repository. */
export function localDigests(images: readonly ImageSummary[], repository: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of images) if (i.repository === repository && i.tag !== '<none>' && i.digest !== '<none>') out.set(i.tag, i.digest);
  return out;
}

/** The remote tags of a repository (once fetched), marked local and "update available", narrowed by `query`. */
export function tagRows(state: AppState, repository: string, query = ''): TagRow[] {
  const fetched = state.remote.tags[repository];
  if (fetched?.status !== 'loaded') return [];
  const local = localDigests(state.images, repository);
  const localTags = new Set(state.images.filter((i) => i.repository === repository).map((i) => i.tag));
  const q = query.trim().toLowerCase();
  return fetched.value
    .filter((tag) => q === '' || tag.toLowerCase().includes(q))
    .map((tag) => {
      const remote = state.remote.digests[digestKey(repository, tag)];
      const mine = local.get(tag);
      return { tag, local: localTags.has(tag), update: mine !== undefined && remote?.status === 'loaded' && remote.value !== mine };
    });
}

/** Keys of the visible rows of a pane, in display order. */
export function visibleKeys(state: AppState, pane: PaneId): string[] {
  switch (pane) {
    case 'containers':
      return visibleContainers(state).map((c) => c.id);
    case 'images':
      return visibleImages(state).map(imageKey);
    case 'repositories':
      return visibleRepositories(state).map((r) => r.key);
  }
}

export function selectedContainer(state: AppState): ContainerRecord | undefined {
  return visibleContainers(state)[state.panes.containers.selected];
}

export function selectedImage(state: AppState): ImageSummary | undefined {
  return visibleImages(state)[state.panes.images.selected];
}

/**
 * Whether moving the clock to `now` changes a relative age the lists show ("Up 5 minutes",
 * "3 days ago"): the age timer re-renders only then, so an idle TUI over created or long-running
 * containers and old images does no work at all.
 */
export function agesChanged(state: AppState, now: number): boolean {
  for (const c of visibleContainers(state)) if (statusText(c.state, now) !== statusText(c.state, state.now)) return true;
  for (const i of visibleImages(state)) if (createdSince(i.created, now) !== createdSince(i.created, state.now)) return true;
  return false;
}
