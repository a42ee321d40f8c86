// The TUI end to end: the built `tsdock` with no arguments in a real terminal (tmux), over the
// real engine with real containers. Every step asserts on what `tmux capture-pane` shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed, registryFetch, type RegistryInfo } from '../testbed/testbed.js';
import { humanSize } from '../../src/core/format/human.js';
import { makeSandbox, TSDOCK_BIN, type Sandbox } from '../helpers/tsdock.js';

let sb: Sandbox;
let image: string;
let runRoot: string;
const session = `tsdock-tui-${process.pid}`;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
/** Text typed as is (no key-name lookup: `-l`). */
const type = (text: string) => tmux('send-keys', '-t', session, '-l', text);

async function waitFor(test: RegExp | ((text: string) => boolean), timeoutMs = 15_000): Promise<string> {
  const ok = typeof test === 'function' ? test : (t: string) => test.test(t);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never matched ${test}:\n${text}`);
    await sleep(50);
  }
}

function killSession(): void {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    /* not running */
  }
}

/** A plain shell in a fresh tmux window, as a user's terminal before they start tsdock. */
function startShell(cols: number, rows: number): void {
  killSession();
  // Right after another session was killed the tmux server may still be exiting: retry.
  for (let i = 0; ; i++) {
    try {
      tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), 'env -u CI PS1="e2e-prompt$ " bash --norc --noprofile');
      return;
    } catch (err) {
      if (i >= 20) throw new Error(`tmux new-session failed: ${(err as { stderr?: string }).stderr ?? err}`);
      execFileSync('sleep', ['0.1']);
    }
  }
}

async function names(): Promise<string[]> {
  return (await sb.run(['ps', '-a', '--format', '{{.Names}}'])).stdout.trim().split('\n').filter(Boolean).sort();
}

let registry: RegistryInfo;
/** Sizes of layered:v1's layers, from the registry: the strip must show them to the byte. */
let layeredLayers: { digest: string; size: number }[];

beforeAll(async () => {
  sb = await makeSandbox();
  runRoot = `/run/tsdock-test-tui-${process.pid}`;
  await mkdir(runRoot, { recursive: true });
  sb.env.TSDOCK_RUN_ROOT = runRoot;
  registry = getTestbed().registries.open;
  image = `${registry.addr}/library/busybox:latest`;
  expect((await sb.run(['pull', '-q', image])).code).toBe(0);
  expect((await sb.run(['run', '--network', 'none', '--name', 'done-ok', image, 'true'])).code).toBe(0);
  expect((await sb.run(['run', '--network', 'none', '--name', 'done-bad', image, 'sh', '-c', 'exit 3'])).code).toBe(3);
  const res = await registryFetch(registry, '/v2/layered/manifests/v1', { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  layeredLayers = ((await res.json()) as { layers: { digest: string; size: number }[] }).layers;
  expect(layeredLayers.length).toBeGreaterThan(1);
});

afterAll(async () => {
  killSession();
  const ids = (await sb.run(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  if (ids.length) await sb.run(['rm', '-f', ...ids]);
  expect((await readFile('/proc/mounts', 'utf8')).includes(sb.root)).toBe(false);
  await sb.remove();
  await rm(runRoot, { recursive: true, force: true });
});

describe('tsdock TUI in a terminal', () => {
  it('pulls a tag from the picker, runs a container from the form, opens a shell, resizes, bulk-deletes and quits cleanly', async () => {
    startShell(100, 30);
    await waitFor(/e2e-prompt\$/);
    type('echo before-the-tui');
    keys('Enter');
    await waitFor(/^before-the-tui$/m);
    const env = `TSDOCK_ROOT=${sb.root} TSDOCK_CONFIG=${sb.configPath} TSDOCK_RUN_ROOT=${runRoot} DOCKER_CONFIG=${sb.dockerConfigDir}`;
    type(`${env} ${TSDOCK_BIN}; echo EXIT=$?`);
    keys('Enter');

    // The containers are listed, newest first, with their status.
    let text = await waitFor(/1 Containers \(2\)/);
    text = await waitFor(/done-bad[\s\S]*done-ok/);
    expect(text).toMatch(/done-bad .*Exited \(3\)/);
    expect(text).not.toContain('before-the-tui'); // the alternate screen

    // Repositories: the test registry (from the local image) with its catalog.
    keys('3');
    text = await waitFor(new RegExp(`${registry.addr.replace(/\./g, '\\.')} +local images · catalog: \\d+`));
    expect(text).toMatch(/docker\.io +default · no catalog/);
    expect(text).toMatch(/│ +library\/busybox +latest/);
    // Narrow to `layered`, select it: its remote tags load below the list.
    keys('/');
    type('layered');
    keys('Enter');
    text = await waitFor(/filter: layered/);
    expect(text).toMatch(/│ +docker\/layered +│[\s\S]*│ +layered +│/);
    keys('j', 'j');
    text = await waitFor(new RegExp(`Remote tags of ${registry.addr}/layered[\\s\\S]*│v1 `));
    // The tag picker: type to narrow, Enter pulls.
    keys('Enter');
    await waitFor(new RegExp(`Pull a tag of ${registry.addr}/layered`));
    type('v1');
    await waitFor(/tag: v1▏[\s\S]*│v1 /);
    keys('Enter');
    // Progress: the pull's line and one line per layer with its exact bytes, under the panes.
    text = await waitFor(/[⇣✓] [^\n]*layered:v1/);
    text = await waitFor(/✓ [^\n]*layered:v1: pulled/);
    for (const l of layeredLayers) {
      const id = l.digest.slice(7, 19);
      const bytes = humanSize(l.size, 4);
      expect(text).toMatch(new RegExp(`${id} (\\[=+\\] ${bytes}/${bytes} Pull complete|Already exists)`));
    }
    expect(text).toMatch(/\[=+\] \d+B\/\d+B Pull complete/);
    await waitFor(new RegExp(`pulled ${registry.addr}/layered:v1`));
    // The image is in the Images pane (and in the store).
    keys('Escape');
    keys('2');
    text = await waitFor(new RegExp(`${registry.addr}/layered +v1 +[0-9a-f]{12}`));
    expect((await sb.run(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toContain(`${registry.addr}/layered:v1`);

    // The run form from the busybox image: name, command, --network none.
    keys('/');
    type('busybox');
    keys('Enter');
    await waitFor(/filter: busybox/);
    keys('R');
    await waitFor(new RegExp(`Run a container from ${registry.addr}/library/busybox:latest`));
    text = await waitFor(/network +bridge/);
    type('e2e-web');
    keys('Tab');
    type('sleep 300');
    keys('Tab', 'Tab', 'Tab', 'Tab', 'Tab');
    await waitFor(/›network +bridge▏/);
    keys('BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace');
    type('none');
    await waitFor(/›network +none▏/);
    keys('Enter');
    await waitFor(/started e2e-web/);
    // The strip is gone before the shell opens, so the sizes below are those of a full body.
    await waitFor((t) => !t.includes('layered:v1: pulled'), 10_000);
    keys('Escape');
    keys('1');
    text = await waitFor(/e2e-web .*Up /);
    const inspect = JSON.parse((await sb.run(['inspect', 'e2e-web'])).stdout)[0];
    expect(inspect.State.Running).toBe(true);
    expect(inspect.HostConfig.NetworkMode).toBe('none');
    expect(inspect.Path).toBe('sleep');

    // A shell in the new container, in a split pane beside the list.
    keys('/');
    type('e2e-web');
    keys('Enter');
    await waitFor(/filter: e2e-web/);
    keys('e');
    text = await waitFor(/\[1 e2e-web:\/bin\/sh\][\s\S]*\/ # /);
    type('echo $((6*7))');
    keys('Enter');
    text = await waitFor(/│42 +│/);
    expect(text).toMatch(/│NAME +IMAGE +STATUS|│ +NAME/); // the list is still there, beside it

    // Resize: the layout follows and so does the shell's terminal.
    tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
    await waitFor((t) => t.split('\n')[0]!.trimEnd().length > 100);
    type('stty size');
    keys('Enter');
    // 40 rows - header - status line - borders - the shell's tab line; half of 120 - borders.
    text = await waitFor(/│35 58 +│/);
    expect(text.split('\n').filter((l) => l.includes('╰'))).toHaveLength(1);

    // F6 gives the keys back to the list (q would otherwise go to the shell); F8 closes the shell.
    keys('F6');
    keys('F8');
    text = await waitFor((t) => !t.includes('[1 e2e-web'));
    expect(text).toMatch(/e2e-web .*Up /);
    keys('Escape');
    await waitFor(/1 Containers \(3\)/);

    // "Remove all exited containers": / status=exited Enter, a, d, y.
    keys('/');
    type('status=exited');
    keys('Enter');
    text = await waitFor(/filter: status=exited/);
    expect(text).toContain('1 Containers (2)');
    expect(text).not.toMatch(/│ +e2e-web /);
    keys('a');
    await waitFor(/2 marked/);
    keys('d');
    text = await waitFor(/Remove 2 containers\?/);
    expect(text).toMatch(/done-bad +[0-9a-f]{12} +exited/);
    expect(text).toMatch(/done-ok +[0-9a-f]{12} +exited/);
    keys('y');
    await waitFor(/removed 2 containers/);
    await waitFor(/no container matches the filter/);
    expect(await names()).toEqual(['e2e-web']); // closing the shell left it running
    keys('Escape');
    text = await waitFor(/1 Containers \(1\)/);
    expect(text).toMatch(/e2e-web .*Up /);

    // q quits and the terminal is as it was: the shell's own lines, the exit code, the prompt.
    keys('q');
    text = await waitFor(/^EXIT=0$/m);
    expect(text).toContain('before-the-tui');
    expect(text).not.toContain('Containers (');
    await waitFor(/EXIT=0\s*\n\s*e2e-prompt\$\s*$/);
    // The cursor is visible again and the terminal is back in cooked mode: typing echoes.
    type('echo still-alive');
    keys('Enter');
    await waitFor(/^still-alive$/m);
    killSession();
  });
});
