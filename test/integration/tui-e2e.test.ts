// The TUI end to end: the built `tsdock` with no arguments in a real terminal (tmux), over the
// real engine with real containers. Every step asserts on what `tmux capture-pane` shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed } from '../testbed/testbed.js';
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

beforeAll(async () => {
  sb = await makeSandbox();
  runRoot = `/run/tsdock-test-tui-${process.pid}`;
  await mkdir(runRoot, { recursive: true });
  sb.env.TSDOCK_RUN_ROOT = runRoot;
  image = `${getTestbed().registries.open.addr}/library/busybox:latest`;
  expect((await sb.run(['pull', '-q', image])).code).toBe(0);
  expect((await sb.run(['run', '-d', '--name', 'sleeper', image, 'sleep', '300'])).code).toBe(0);
  expect((await sb.run(['run', '--name', 'done-ok', image, 'true'])).code).toBe(0);
  expect((await sb.run(['run', '--name', 'done-bad', image, 'sh', '-c', 'exit 3'])).code).toBe(3);
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
  it('lists, filters, bulk-deletes, opens a shell, resizes and quits cleanly', async () => {
    startShell(100, 30);
    await waitFor(/e2e-prompt\$/);
    type('echo before-the-tui');
    keys('Enter');
    await waitFor(/^before-the-tui$/m);
    const env = `TSDOCK_ROOT=${sb.root} TSDOCK_CONFIG=${sb.configPath} TSDOCK_RUN_ROOT=${runRoot}`;
    type(`${env} ${process.execPath} ${TSDOCK_BIN}; echo EXIT=$?`);
    keys('Enter');

    // The containers are listed, newest first, with their status.
    let text = await waitFor(/1 Containers \(3\)/);
    text = await waitFor(/done-bad[\s\S]*done-ok[\s\S]*sleeper/);
    expect(text).toMatch(/done-bad .*Exited \(3\)/);
    expect(text).toMatch(/sleeper .*Up /);
    expect(text).not.toContain('before-the-tui'); // the alternate screen

    // "Remove all exited containers": / status=exited Enter, a, d, y.
    keys('/');
    type('status=exited');
    keys('Enter');
    text = await waitFor(/filter: status=exited/);
    expect(text).toContain('1 Containers (2)');
    expect(text).not.toMatch(/│ +sleeper /);
    keys('a');
    await waitFor(/2 marked/);
    keys('d');
    text = await waitFor(/Remove 2 containers\?/);
    expect(text).toMatch(/done-bad +[0-9a-f]{12} +exited/);
    expect(text).toMatch(/done-ok +[0-9a-f]{12} +exited/);
    keys('y');
    await waitFor(/removed 2 containers/);
    await waitFor(/no container matches the filter/);
    expect(await names()).toEqual(['sleeper']);
    keys('Escape');
    text = await waitFor(/1 Containers \(1\)/);
    expect(text).toMatch(/sleeper .*Up /);

    // A shell in the running container, in a split pane beside the list.
    keys('e');
    text = await waitFor(/\[1 sleeper:\/bin\/sh\][\s\S]*\/ # /);
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
    text = await waitFor((t) => !t.includes('[1 sleeper'));
    expect(text).toMatch(/sleeper .*Up /);
    expect(await names()).toEqual(['sleeper']); // closing a shell leaves the container running

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
