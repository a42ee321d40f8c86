import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../../src/ui/components/App.js';
import { FakeBackend, container, image } from './fake-backend.js';
import { waitForFrame } from './wait-for.js';

afterEach(() => cleanup());

const ESC = '\x1b';
const TAB = '\t';
const REG = '127.0.0.1:5000';
const REPO = `${REG}/library/busybox`;
const L1 = `sha256:${'1'.repeat(64)}` as const;
const L2 = `sha256:${'2'.repeat(64)}` as const;

function setup(size = { columns: 80, rows: 24 }) {
  const backend = new FakeBackend([container('web', 'running', { createdMinutesAgo: 1 })], [{ ...image(REPO, 'latest', 'a'), digest: 'sha256:old' }]);
  backend.catalogs.set(REG, ['library/busybox', 'layered']);
  backend.tags.set(REPO, ['latest', '1.36']);
  backend.tags.set(`${REG}/layered`, ['v1', 'v2']);
  backend.digests.set(`${REPO}:latest`, 'sha256:new');
  const r = render(<App backend={backend} size={size} />);
  return { ...r, backend };
}

describe('Repositories pane, tag picker and pulls', () => {
  it('lists registries with their catalogs, loads the selected repository tags and marks updates', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    expect(backend.calls).not.toContain('registries'); // nothing asked before the pane is shown
    stdin.write('3');
    await waitForFrame(lastFrame, /127\.0\.0\.1:5000 +local images · catalog: 2/);
    expect(lastFrame()).toMatch(/docker\.io +default · no catalog/);
    expect(backend.calls.filter((c) => c.startsWith('catalog'))).toEqual([`catalog ${REG}`]); // never Docker Hub
    stdin.write('j'); // the 127.0.0.1 registry row
    stdin.write('j'); // layered
    stdin.write('j'); // library/busybox
    const frame = await waitForFrame(lastFrame, 'latest ↑   1.36');
    expect(frame).toContain(`Remote tags of ${REPO}`);
    expect(frame.split('\n')).toHaveLength(24);
    expect(backend.calls).toContain(`digest ${REPO}:latest`);
    expect(backend.calls).not.toContain(`digest ${REPO}:1.36`); // not local: no update to tell
    // The cursor passed over `layered` without waiting there: its tags were not fetched.
    expect(backend.calls).not.toContain(`tags ${REG}/layered`);
  });

  it('picks a tag (filtered as typed), pulls it with per-layer progress while the user works on', async () => {
    const { lastFrame, stdin, backend } = setup();
    stdin.write('3');
    await waitForFrame(lastFrame, 'catalog: 2');
    stdin.write('jj');
    await waitForFrame(lastFrame, `Remote tags of ${REG}/layered`);
    stdin.write('\r');
    await waitForFrame(lastFrame, `Pull a tag of ${REG}/layered`);
    await waitForFrame(lastFrame, /v2/);
    stdin.write('v2');
    const picker = await waitForFrame(lastFrame, 'tag: v2▏');
    expect(picker).not.toMatch(/│v1/);
    stdin.write('\r');
    await waitForFrame(lastFrame, `⇣ ${REG}/layered:v2: resolving…`);
    expect(backend.calls).toContain(`pull ${REG}/layered:v2`);
    backend.emitPull(
      { type: 'resolved', reference: `${REG}/layered:v2`, manifestDigest: `sha256:${'f'.repeat(64)}`, layers: [{ digest: L1, size: 2_000_000 }, { digest: L2, size: 1_000 }] },
      { type: 'layer', digest: L1, phase: 'downloading', current: 1_000_000, total: 2_000_000 },
      { type: 'layer', digest: L2, phase: 'exists' },
    );
    let frame = await waitForFrame(lastFrame, '1/2 layers, 1MB/2MB');
    expect(frame).toMatch(/111111111111 \[=+> +\] 1MB\/2MB Downloading/);
    expect(frame).toContain('222222222222 Already exists');
    // Keys still go to the panes meanwhile.
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG +IMAGE ID/);
    backend.emitPull({ type: 'layer', digest: L1, phase: 'complete' });
    backend.pulls[0]!.finish();
    frame = await waitForFrame(lastFrame, `pulled ${REG}/layered:v2`);
    expect(frame).toMatch(/111111111111 \[=+\] 2MB\/2MB Pull complete/);
    await waitForFrame(lastFrame, new RegExp(`${REG}/layered +v2`));
  });

  it('pull by typing a reference; a failed pull says why in the status line', async () => {
    const { lastFrame, stdin, backend } = setup();
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('P');
    await waitForFrame(lastFrame, 'reference: ▏');
    stdin.write('nosuch:1');
    stdin.write('\r');
    await waitForFrame(lastFrame, '⇣ nosuch:1');
    backend.pulls[0]!.finish('manifest for docker.io/library/nosuch:1 not found');
    await waitForFrame(lastFrame, 'pull nosuch:1: manifest for docker.io/library/nosuch:1 not found');
    expect(lastFrame()).toContain('✗ nosuch:1');
  });

  it('Esc arriving glued to the next key (tmux) is Esc, then that key', async () => {
    const { lastFrame, stdin } = setup();
    stdin.write('3');
    await waitForFrame(lastFrame, 'catalog: 2');
    stdin.write('jj');
    await waitForFrame(lastFrame, 'Remote tags of');
    stdin.write('\r');
    await waitForFrame(lastFrame, 'Pull a tag of');
    stdin.write('\x1b2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG +IMAGE ID/);
  });

  it('adds a repository by name to its registry', async () => {
    const { lastFrame, stdin, backend } = setup();
    stdin.write('3');
    await waitForFrame(lastFrame, 'catalog: 2');
    stdin.write('+');
    await waitForFrame(lastFrame, 'repository: ▏');
    stdin.write('grafana/grafana\r');
    await waitForFrame(lastFrame, 'grafana/grafana added to the list');
    expect(lastFrame()).toMatch(/docker\.io[^\n]*\n[^\n]*grafana\/grafana/);
    expect(backend.calls).not.toContain('tags grafana/grafana'); // not selected
  });
});

describe('Run form', () => {
  it('validates fields with the CLI rules, then creates and starts the container', async () => {
    const { lastFrame, stdin, backend } = setup();
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('R');
    let frame = await waitForFrame(lastFrame, `Run a container from ${REPO}:latest`);
    expect(frame).toMatch(/network +bridge/);
    expect(frame.split('\n')).toHaveLength(24);
    stdin.write('x'); // one character: Docker's names need two
    stdin.write(TAB);
    stdin.write("sh -c 'sleep 300'");
    stdin.write(TAB + TAB);
    stdin.write('80:80');
    stdin.write(TAB + TAB);
    stdin.write('tiny');
    stdin.write(TAB);
    stdin.write('\x7f'.repeat(6) + 'none');
    stdin.write('\r');
    frame = await waitForFrame(lastFrame, 'Invalid container name (x)');
    expect(frame).toContain("invalid size: 'tiny'");
    expect(backend.runs).toHaveLength(0);
    // Fix the name and memory; ports with --network none still conflict, as in the CLI.
    stdin.write('\x7fe2e-web'); // focus went to the first bad field: name
    stdin.write(TAB + TAB + TAB + TAB + TAB);
    stdin.write('\x7f'.repeat(4) + '64m');
    stdin.write('\r');
    frame = await waitForFrame(lastFrame, 'conflicting options: port publishing');
    expect(frame).toMatch(/›ports/); // the focus moved to the field at fault
    stdin.write('\x7f'.repeat(5));
    stdin.write('\r');
    await waitForFrame(lastFrame, `started e2e-web (${REPO}:latest)`);
    expect(backend.runs).toEqual([{ image: `${REPO}:latest`, name: 'e2e-web', cmd: ['sh', '-c', 'sleep 300'], options: { env: [], publish: [], volume: [], memory: '64m', network: 'none' } }]);
    stdin.write('1');
    await waitForFrame(lastFrame, /e2e-web .*Up/);
  });

  it('keeps the form open with the engine refusal', async () => {
    const { lastFrame, stdin, backend } = setup();
    backend.runFailure = 'the container name "/web" is already in use';
    stdin.write('2');
    await waitForFrame(lastFrame, /REPOSITORY +TAG/);
    stdin.write('R');
    await waitForFrame(lastFrame, 'Run a container from');
    stdin.write('web\r');
    await waitForFrame(lastFrame, 'is already in use');
    expect(lastFrame()).toContain('Run a container from');
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Run a container from'));
  });
});

describe('Stats view', () => {
  it('samples only while open and draws sparklines of CPU and memory', async () => {
    const { lastFrame, stdin, backend } = setup({ columns: 100, rows: 24 });
    await waitForFrame(lastFrame, 'web');
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.statsCalls).toBe(0);
    stdin.write('S');
    await waitForFrame(lastFrame, /web +10\.0%/);
    const frame = await waitForFrame(lastFrame, /web +20\.0% +[▁▂▃▄▅▆▇█ ]+ +2MiB \/ 64MiB/, 3000);
    expect(frame).toMatch(/NAME +CPU % +CPU +MEM USAGE \/ LIMIT +MEM/);
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Stats ('));
    const calls = backend.statsCalls;
    await new Promise((r) => setTimeout(r, 1300));
    expect(backend.statsCalls).toBe(calls);
  });
});
