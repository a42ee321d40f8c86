import { describe, expect, it } from 'vitest';
import { appReducer, type Action } from '../../../src/ui/state/app-reducer.js';
import { initialState, type AppState } from '../../../src/ui/state/app-state.js';
import { repositoryFromInput, sortTags } from '../../../src/ui/state/remote-state.js';
import { applyPullEvents, pullBytes, pullStripRows, type PullView } from '../../../src/ui/state/pulls.js';
import { selectedRepository, tagRows, visibleRepositories } from '../../../src/ui/state/selectors.js';
import { T0, image } from './fake-backend.js';

const run = (state: AppState, ...actions: Action[]) => actions.reduce(appReducer, state);
const REG = '127.0.0.1:5000';
const local = { ...image(`${REG}/library/busybox`, 'latest', 'a'), digest: 'sha256:old' };
const labels = (s: AppState) => visibleRepositories(s).map((r) => (r.kind === 'registry' ? `[${r.registry}] ${r.note}` : r.repository));

describe('repositories from registries', () => {
  it('lists configured registries, then catalogs and typed repositories as they arrive', () => {
    let s = run(
      initialState(T0),
      { type: 'imagesLoaded', images: [local], now: T0 },
      { type: 'registriesLoaded', registries: [{ domain: 'docker.io', sources: ['default'] }, { domain: 'reg.lan:5000', sources: ['insecure'] }] },
    );
    expect(labels(s)).toEqual(['[docker.io] default · no catalog: + adds a repository', `[${REG}] local images`, `${REG}/library/busybox`, '[reg.lan:5000] insecure']);
    s = run(
      s,
      { type: 'catalogFetch', domain: REG, fetch: { status: 'loading' } },
      { type: 'catalogFetch', domain: 'reg.lan:5000', fetch: { status: 'error', error: 'unauthorized' } },
    );
    expect(labels(s)[1]).toBe(`[${REG}] local images · catalog loading…`);
    expect(labels(s)[3]).toBe('[reg.lan:5000] insecure · no catalog (unauthorized)');
    s = run(s, { type: 'catalogFetch', domain: REG, fetch: { status: 'loaded', value: ['library/busybox', 'layered'] } }, { type: 'repositoryAdded', repository: 'grafana/grafana' });
    expect(labels(s)).toEqual([
      '[docker.io] default · no catalog: + adds a repository',
      'grafana/grafana',
      `[${REG}] local images · catalog: 2`,
      `${REG}/layered`,
      `${REG}/library/busybox`,
      '[reg.lan:5000] insecure · no catalog (unauthorized)',
    ]);
  });

  it('keeps the cursor on its repository when rows arrive above it', () => {
    let s = run(initialState(T0), { type: 'imagesLoaded', images: [local], now: T0 }, { type: 'focusPane', pane: 'repositories' }, { type: 'moveTo', where: 'last' });
    expect(selectedRepository(s)?.repository).toBe(`${REG}/library/busybox`);
    s = run(s, { type: 'repositoryAdded', repository: 'alpine' }, { type: 'catalogFetch', domain: REG, fetch: { status: 'loaded', value: ['aaa'] } });
    expect(selectedRepository(s)?.repository).toBe(`${REG}/library/busybox`);
    // ctrl-r forgets the answers but not what the user typed.
    s = run(s, { type: 'remoteReset' });
    expect(labels(s)).toContain('alpine');
    expect(labels(s)).not.toContain(`${REG}/aaa`);
  });

  it('marks remote tags present locally and those with a different remote digest', () => {
    const repo = `${REG}/library/busybox`;
    const s = run(
      initialState(T0),
      { type: 'imagesLoaded', images: [local, { ...image(repo, '1.36', 'b'), digest: 'sha256:same' }], now: T0 },
      { type: 'tagsFetch', repository: repo, fetch: { status: 'loaded', value: ['1.36', 'latest', '1.37'] } },
      { type: 'digestFetch', repository: repo, tag: 'latest', fetch: { status: 'loaded', value: 'sha256:new' } },
      { type: 'digestFetch', repository: repo, tag: '1.36', fetch: { status: 'loaded', value: 'sha256:same' } },
    );
    expect(tagRows(s, repo)).toEqual([
      { tag: 'latest', local: true, update: true },
      { tag: '1.37', local: false, update: false },
      { tag: '1.36', local: true, update: false },
    ]);
    expect(tagRows(s, repo, '1.3').map((t) => t.tag)).toEqual(['1.37', '1.36']);
    expect(tagRows(s, 'unknown')).toEqual([]);
  });

  it('sorts tags: latest, then versions newest first', () => {
    expect(sortTags(['1.9', 'edge', '1.10', 'latest', '1.10.1', 'alpine', '1.10'])).toEqual(['latest', '1.10.1', '1.10', '1.9', 'alpine', 'edge']);
  });

  it('reads a typed repository as the pane lists it', () => {
    expect(repositoryFromInput(' docker.io/library/alpine:3 ')).toEqual({ repository: 'alpine' });
    expect(repositoryFromInput(`${REG}/app`)).toEqual({ repository: `${REG}/app` });
    expect(repositoryFromInput('Bad Name')).toHaveProperty('error');
    expect(repositoryFromInput('')).toEqual({ error: 'no repository given' });
  });
});

describe('pull progress', () => {
  const L1 = `sha256:${'1'.repeat(64)}` as const;
  const L2 = `sha256:${'2'.repeat(64)}` as const;
  const start: PullView = { id: 1, reference: 'r:1', status: 'resolving', layers: [] };

  it('follows the engine events byte for byte', () => {
    let p = applyPullEvents(start, [
      { type: 'resolved', reference: 'r:1', manifestDigest: `sha256:${'f'.repeat(64)}`, layers: [{ digest: L1, size: 1000 }, { digest: L2, size: 500 }] },
      { type: 'layer', digest: L1, phase: 'waiting', current: 0, total: 1000 },
      { type: 'layer', digest: L2, phase: 'exists' },
      { type: 'layer', digest: L1, phase: 'downloading', current: 412, total: 1000 },
    ]);
    expect(p.status).toBe('pulling');
    expect(p.layers).toEqual([
      { digest: L1, phase: 'downloading', current: 412, total: 1000 },
      { digest: L2, phase: 'exists', current: 0, total: 0 },
    ]);
    expect(pullBytes(p)).toEqual({ current: 412, total: 1000 });
    p = applyPullEvents(p, [
      { type: 'layer', digest: L1, phase: 'verifying' },
      { type: 'layer', digest: L1, phase: 'complete' },
      { type: 'done', reference: 'r:1', manifestDigest: `sha256:${'f'.repeat(64)}`, imageId: `sha256:${'e'.repeat(64)}`, downloaded: true },
    ]);
    expect(p.layers[0]).toEqual({ digest: L1, phase: 'complete', current: 1000, total: 1000 });
    expect(p.status).toBe('done');
    expect(p.upToDate).toBe(false);
  });

  it('keeps pulls in the state until dismissed; a failure keeps its message', () => {
    let s = run(initialState(T0), { type: 'pullStarted', id: 7, reference: 'busybox:1' }, { type: 'pullStarted', id: 8, reference: 'nope:1' });
    s = run(s, { type: 'pullFinished', id: 8, error: 'manifest unknown' });
    expect(s.pulls.map((p) => [p.reference, p.status, p.error])).toEqual([
      ['busybox:1', 'resolving', undefined],
      ['nope:1', 'failed', 'manifest unknown'],
    ]);
    expect(pullStripRows(s.pulls, 6)).toBe(2);
    s = run(s, { type: 'pullDismissed', id: 8 }, { type: 'pullDismissed', id: 7 });
    expect(s.pulls).toEqual([]);
    expect(pullStripRows(s.pulls, 6)).toBe(0);
  });
});
