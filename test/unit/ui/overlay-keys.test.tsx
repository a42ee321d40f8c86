// Each overlay owns its keys: while it is shown, keys reach it and not the list behind it
// (`x` would kill the selected container, `d` ask to delete it), and Escape closes it.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../../src/ui/components/App.js';
import { FakeBackend, container, image } from './fake-backend.js';
import { waitForFrame } from './wait-for.js';

afterEach(() => cleanup());

const ESC = '\x1b';
const LEFT = '\x1b[D';
const HOME = '\x1b[H';
const END = '\x1b[F';
const REG = '127.0.0.1:5000';
const REPO = `${REG}/library/busybox`;

function setup() {
  const backend = new FakeBackend([container('web', 'running', { createdMinutesAgo: 1 }), container('old', 'exited', { createdMinutesAgo: 5 })], [image(REPO, 'latest', 'a')]);
  backend.catalogs.set(REG, ['library/busybox']);
  backend.tags.set(REPO, ['latest', '1.36', 'musl']);
  const r = render(<App backend={backend} size={{ columns: 100, rows: 30 }} />);
  return { ...r, backend };
}

/** The list's own keys that leave a trace: kill the selected container, ask to delete it. */
const LIST_KEYS = 'xd';

describe('overlays own their keys', () => {
  it('help: j scrolls it, list keys do nothing, Esc closes', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('?');
    await waitForFrame(lastFrame, /1-\d+ of \d+/);
    stdin.write('j');
    await waitForFrame(lastFrame, /2-\d+ of \d+/);
    stdin.write(LIST_KEYS);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Containers pane') && f.includes('old'));
    expect(lastFrame()).not.toContain('Remove');
    expect(backend.calls).toEqual([]);
  });

  it('inspect and stats: list keys do nothing, Esc closes', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('i');
    await waitForFrame(lastFrame, 'Inspect: web');
    stdin.write(LIST_KEYS);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Inspect: web'));
    stdin.write('S');
    await waitForFrame(lastFrame, 'Stats (sampled');
    stdin.write(LIST_KEYS);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Stats (sampled') && f.includes('old'));
    expect(lastFrame()).not.toContain('Remove');
    expect(backend.calls.filter((c) => !c.startsWith('inspect'))).toEqual([]);
  });

  it('confirm: other keys do nothing, Esc keeps everything', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('d');
    await waitForFrame(lastFrame, 'Remove 1 container?');
    stdin.write('xjk');
    stdin.write(ESC);
    await waitForFrame(lastFrame, 'nothing removed');
    expect(backend.calls).toEqual([]);
  });

  it('logs: list keys do nothing, its search moves the cursor, Esc closes', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('l');
    await waitForFrame(lastFrame, 'Logs: web');
    stdin.write(LIST_KEYS);
    stdin.write('/'); // its search is a text field too
    stdin.write('nedle');
    stdin.write(LEFT + LEFT + LEFT);
    stdin.write('e');
    await waitForFrame(lastFrame, '/nee▏dle');
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('/ne'));
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Logs: web') && f.includes('old'));
    expect(lastFrame()).not.toContain('Remove');
    expect(backend.calls).toEqual([]);
  });

  it('filter, palette and prompt take list keys as text, Esc closes them', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('/');
    await waitForFrame(lastFrame, '/▏');
    stdin.write(LIST_KEYS);
    await waitForFrame(lastFrame, `/${LIST_KEYS}▏`);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes(`/${LIST_KEYS}`) && f.includes('old'));
    stdin.write(':');
    await waitForFrame(lastFrame, ':▏');
    stdin.write(LIST_KEYS);
    await waitForFrame(lastFrame, `:${LIST_KEYS}▏`);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes(`:${LIST_KEYS}`) && f.includes('old'));
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('P');
    await waitForFrame(lastFrame, 'reference: ▏');
    stdin.write(LIST_KEYS);
    await waitForFrame(lastFrame, `reference: ${LIST_KEYS}▏`);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Pull an image'));
    expect(lastFrame()).not.toContain('Remove');
    expect(backend.calls).toEqual([]);
  });

  it('tag picker and run form take list keys as text, Esc closes them', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('3');
    await waitForFrame(lastFrame, 'catalog: 1');
    stdin.write('jj'); // the registry row, then its repository
    await waitForFrame(lastFrame, `Remote tags of ${REPO}`);
    stdin.write('t');
    await waitForFrame(lastFrame, 'tag: ▏');
    stdin.write('mj'); // `j` is text here, not a move
    await waitForFrame(lastFrame, (f) => f.includes('tag: mj▏') && f.includes('no tag matches'));
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Pull a tag of'));
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('R');
    await waitForFrame(lastFrame, 'Run a container from');
    stdin.write(LIST_KEYS);
    await waitForFrame(lastFrame, `›name     ${LIST_KEYS}▏`);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Run a container from'));
    expect(lastFrame()).not.toContain('Remove');
    expect(backend.calls.filter((c) => !/^(registries|catalog|tags|digest) /.test(c) && c !== 'registries')).toEqual([]);
  });
});

describe('text fields', () => {
  it('the pull prompt: home, a paste at the cursor, end, Enter pulls what is shown', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('P');
    await waitForFrame(lastFrame, 'reference: ▏');
    stdin.write('box:1.36');
    await waitForFrame(lastFrame, 'reference: box:1.36▏');
    stdin.write(HOME);
    await waitForFrame(lastFrame, 'reference: ▏box:1.36');
    stdin.write('busy'); // one chunk, as a paste arrives
    await waitForFrame(lastFrame, 'reference: busy▏box:1.36');
    stdin.write(END);
    await waitForFrame(lastFrame, 'reference: busybox:1.36▏');
    stdin.write('\r');
    await waitForFrame(lastFrame, (f) => !f.includes('Pull an image'));
    expect(backend.calls).toContain('pull busybox:1.36');
  });

  it('the filter: left moves the cursor, a key inserts in the middle and the list follows', async () => {
    const { lastFrame, stdin } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('/');
    await waitForFrame(lastFrame, '/▏');
    stdin.write('statusexited');
    await waitForFrame(lastFrame, '/statusexited▏');
    for (let i = 0; i < 6; i++) stdin.write(LEFT);
    await waitForFrame(lastFrame, '/status▏exited');
    stdin.write('=');
    await waitForFrame(lastFrame, (f) => f.includes('/status=▏exited') && !f.includes(' web '));
    expect(lastFrame()).toContain('old');
  });

  it('a run form field: the cursor moves within the focused field, Tab leaves it', async () => {
    const { lastFrame, stdin } = setup();
    await waitForFrame(lastFrame, 'old');
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('R');
    await waitForFrame(lastFrame, 'Run a container from');
    stdin.write('wb');
    stdin.write(LEFT);
    stdin.write('e');
    await waitForFrame(lastFrame, '›name     we▏b');
    stdin.write('\t');
    await waitForFrame(lastFrame, '›command');
    expect(lastFrame()).toMatch(/ name +web /);
  });
});
