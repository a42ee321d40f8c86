import { type KnownRegistry, familiarName, parseReference } from '../../core/index.js';

/** An asynchronous answer from a registry: in flight, arrived, or failed (with the message shown). */
export type Fetch<T> = { status: 'loading' } | { status: 'loaded'; value: T } | { status: 'error'; error: string };

/**
 * What the UI knows about registries, filled in as answers arrive: the configured registries,
 * each registry's catalog, tags per repository and remote digests per tag. Nothing is fetched
 * twice until the user reloads (ctrl-r).
 */
export interface RemoteState {
  /** From the config and the credentials file; undefined until read (local images add theirs). */
  registries?: KnownRegistry[];
  catalogs: Readonly<Record<string, Fetch<string[]>>>;
  /** Repositories the user typed (`+`), as full names. */
  typed: readonly string[];
  /** Remote tags by repository name (as RepositoryRow.repository). */
  tags: Readonly<Record<string, Fetch<string[]>>>;
  /** Remote manifest digests by `repository:tag`. */
  digests: Readonly<Record<string, Fetch<string>>>;
}

export type RemoteAction =
  | { type: 'registriesLoaded'; registries: KnownRegistry[] }
  | { type: 'catalogFetch'; domain: string; fetch: Fetch<string[]> }
  | { type: 'tagsFetch'; repository: string; fetch: Fetch<string[]> }
  | { type: 'digestFetch'; repository: string; tag: string; fetch: Fetch<string> }
  | { type: 'repositoryAdded'; repository: string }
  | { type: 'remoteReset' };

export function initialRemoteState(): RemoteState {
  return { catalogs: {}, typed: [], tags: {}, digests: {} };
}

export const digestKey = (repository: string, tag: string) => `${repository}:${tag}`;

export function remoteReducer(state: RemoteState, action: RemoteAction): RemoteState {
  switch (action.type) {
    case 'registriesLoaded':
      return { ...state, registries: action.registries };
    case 'catalogFetch':
      return { ...state, catalogs: { ...state.catalogs, [action.domain]: action.fetch } };
    case 'tagsFetch': {
      const fetch = action.fetch.status === 'loaded' ? { ...action.fetch, value: sortTags(action.fetch.value) } : action.fetch;
      return { ...state, tags: { ...state.tags, [action.repository]: fetch } };
    }
    case 'digestFetch':
      return { ...state, digests: { ...state.digests, [digestKey(action.repository, action.tag)]: action.fetch } };
    case 'repositoryAdded':
      return state.typed.includes(action.repository) ? state : { ...state, typed: [...state.typed, action.repository] };
    case 'remoteReset':
      // Typed repositories stay: they are the user's, not an answer from a registry.
      return { ...initialRemoteState(), typed: state.typed };
  }
}

/** `latest` first, then versions newest first where they look like versions, else by name. */
export function sortTags(tags: readonly string[]): string[] {
  const parts = (t: string) => t.split(/[.\-_]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return [...new Set(tags)].sort((a, b) => {
    if (a === 'latest' || b === 'latest') return a === 'latest' ? (b === 'latest' ? 0 : -1) : 1;
    const pa = parts(a);
    const pb = parts(b);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const x = pa[i];
      const y = pb[i];
      if (x === undefined || y === undefined) return x === undefined ? 1 : -1;
      if (typeof x === 'number' && typeof y === 'number') {
        if (x !== y) return y - x;
      } else if (x !== y) return String(x).localeCompare(String(y));
    }
    return 0;
  });
}

/** A repository typed by the user (`+`), in the form the pane lists it; a tag is ignored. */
export function repositoryFromInput(text: string): { repository: string } | { error: string } {
  const t = text.trim();
  if (t === '') return { error: 'no repository given' };
  try {
    return { repository: familiarName(parseReference(t)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
