import { useEffect, useRef, type Dispatch } from 'react';
import { catalogSupported } from '../../core/index.js';
import type { Action } from '../state/app-reducer.js';
import type { AppState } from '../state/app-state.js';
import { digestKey } from '../state/remote-state.js';
import { localDigests, selectedRepository, visibleRepositories } from '../state/selectors.js';
import type { UiBackend } from './ui-backend.js';

/** Moving through the list does not fetch the tags of every repository passed over. */
export const TAGS_DEBOUNCE_MS = 200;

const message = (err: unknown) => (err as Error).message;

/**
 * Asks registries for what the Repositories pane shows, only while it is shown and only once
 * per thing (ctrl-r forgets the answers): the registry list, each registry's catalog, the tags
 * of the selected repository and, for its local tags, the remote digests that tell whether an
 * update is available. Answers and errors land in the state; errors also in the status line.
 */
export function useRemoteData(state: AppState, backend: UiBackend, dispatch: Dispatch<Action>): void {
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const send = (a: Action) => alive.current && dispatch(a);
  const shown = state.pane === 'repositories';
  const { remote } = state;

  useEffect(() => {
    if (!shown || remote.registries) return;
    backend.knownRegistries().then(
      (registries) => send({ type: 'registriesLoaded', registries }),
      (err) => {
        send({ type: 'registriesLoaded', registries: [{ domain: 'docker.io', sources: ['default'] }] });
        send({ type: 'setStatus', status: { text: `registries: ${message(err)}`, level: 'error' } });
      },
    );
  }, [shown, remote.registries, backend]);

  const rows = visibleRepositories(state);
  const domains = [...new Set(rows.map((r) => r.registry))].join(' ');
  useEffect(() => {
    if (!shown || !remote.registries) return;
    for (const domain of domains.split(' ').filter(Boolean)) {
      if (remote.catalogs[domain] || !catalogSupported(domain)) continue;
      send({ type: 'catalogFetch', domain, fetch: { status: 'loading' } });
      backend.catalog(domain).then(
        (value) => send({ type: 'catalogFetch', domain, fetch: { status: 'loaded', value } }),
        // A refused catalog is normal (most registries): the registry row says so, no alarm.
        (err) => send({ type: 'catalogFetch', domain, fetch: { status: 'error', error: message(err) } }),
      );
    }
  }, [shown, domains, remote.registries, remote.catalogs, backend]);

  const repo = shown ? selectedRepository(state)?.repository : undefined;
  const tags = repo ? remote.tags[repo] : undefined;
  useEffect(() => {
    if (!repo || tags) return;
    const timer = setTimeout(() => {
      send({ type: 'tagsFetch', repository: repo, fetch: { status: 'loading' } });
      backend.remoteTags(repo).then(
        (value) => send({ type: 'tagsFetch', repository: repo, fetch: { status: 'loaded', value } }),
        (err) => {
          send({ type: 'tagsFetch', repository: repo, fetch: { status: 'error', error: message(err) } });
          send({ type: 'setStatus', status: { text: `tags of ${repo}: ${message(err)}`, level: 'error' } });
        },
      );
    }, TAGS_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [repo, tags, backend]);

  // Digests only of tags that exist both here and there: those are the ones an update concerns.
  const local = repo ? localDigests(state.images, repo) : undefined;
  const wanted = repo && tags?.status === 'loaded' && local ? tags.value.filter((t) => local.has(t) && !remote.digests[digestKey(repo, t)]) : [];
  const wantedKey = wanted.join(' ');
  useEffect(() => {
    if (!repo || wanted.length === 0) return;
    for (const tag of wanted) {
      send({ type: 'digestFetch', repository: repo, tag, fetch: { status: 'loading' } });
      backend.remoteDigest(repo, tag).then(
        (value) => send({ type: 'digestFetch', repository: repo, tag, fetch: { status: 'loaded', value } }),
        (err) => send({ type: 'digestFetch', repository: repo, tag, fetch: { status: 'error', error: message(err) } }),
      );
    }
  }, [repo, wantedKey, backend]);
}
