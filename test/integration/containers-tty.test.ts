// Interactive containers under a real terminal: tmux gives tsdock a pty, as a user's terminal
// would. Inside, `tty` names a /dev/pts device, `stty size` follows a window resize, and the
// shell's exit code comes back as tsdock's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestbed } from '../testbed/testbed.js';
import { makeSandbox, TSDOCK_BIN, type Sandbox } from '../helpers/tsdock.js';
import { Engine } from '../../src/core/engine.js';

let sb: Sandbox;
let image: string;
let runRoot: string;
const session = `tsdock-tty-${process.pid}`;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');

async function waitFor(re: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (re.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never matched ${re}:\n${text}`);
    await sleep(50);
  }
}

/** Starts `tsdock ARGS` in a fresh tmux window of 100x30; prints EXIT=<code> when it ends. */
function startInTmux(args: string[]): void {
  killSession();
  const env = Object.entries({ TSDOCK_ROOT: sb.root, TSDOCK_CONFIG: sb.configPath, TSDOCK_RUN_ROOT: runRoot })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const cmd = `env ${env} ${TSDOCK_BIN} ${args.join(' ')}; echo EXIT=$?; sleep 600`;
  // Right after the last session was killed the tmux server may still be exiting: retry.
  for (let i = 0; ; i++) {
    try {
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', cmd);
      return;
    } catch (err) {
      if (i >= 20) throw new Error(`tmux new-session failed: ${(err as { stderr?: string }).stderr ?? err}`);
      execFileSync('sleep', ['0.1']);
    }
  }
}

beforeAll(async () => {
  sb = await makeSandbox();
  runRoot = `/run/tsdock-test-tty-${process.pid}`;
  await mkdir(runRoot, { recursive: true });
  sb.env.TSDOCK_RUN_ROOT = runRoot;
  image = `${getTestbed().registries.open.addr}/library/busybox:latest`;
  expect((await sb.run(['pull', '-q', image])).code).toBe(0);
});

function killSession(): void {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* not running */
  }
}

afterAll(async () => {
  killSession();
  const ids = (await sb.run(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  if (ids.length) await sb.run(['rm', '-f', ...ids]);
  expect((await readFile('/proc/mounts', 'utf8')).includes(sb.root)).toBe(false);
  await sb.remove();
  await rm(runRoot, { recursive: true, force: true });
});

describe('run -it and exec -it under a terminal', () => {
  it('run -it: tty, resize, exit code', async () => {
    startInTmux(['run', '-it', '--rm', image, 'sh']);
    await waitFor(/^\/ #\s*$/m);
    tmux('send-keys', '-t', session, 'tty; stty size', 'Enter');
    const first = await waitFor(/^30 100$/m);
    expect(first).toMatch(/^\/dev\/pts\/\d+$/m);
    tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
    await sleep(200);
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await waitFor(/^40 120$/m);
    tmux('send-keys', '-t', session, 'exit 42', 'Enter');
    await waitFor(/^EXIT=42$/m);
    killSession();
    expect((await sb.run(['ps', '-aq'])).stdout).toBe('');
  });

  it('run -it: the terminal session is in the container log, as with Docker', async () => {
    startInTmux(['run', '-it', '--network', 'none', '--name', 'ttylog', image, 'sh', '-c', "'echo logged-$((20+3)); exit 7'"]);
    await waitFor(/^EXIT=7$/m);
    killSession();
    const logs = await sb.run(['logs', 'ttylog']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^logged-23\r?$/m);
    expect((await sb.run(['inspect', '-f', '{{.State.ExitCode}}', 'ttylog'])).stdout.trim()).toBe('7');
    expect((await sb.run(['rm', 'ttylog'])).code).toBe(0);
  });

  it('run -t passes the container\'s "\\r\\n" through unchanged (not "\\r\\r\\n") and restores the terminal', async () => {
    // `script` gives tsdock a terminal and copies exactly what tsdock writes to it; `stty` after
    // the run shows the terminal's output processing is back on.
    const env = Object.entries({ TSDOCK_ROOT: sb.root, TSDOCK_CONFIG: sb.configPath, TSDOCK_RUN_ROOT: runRoot }).map(([k, v]) => `${k}=${v}`).join(' ');
    for (const flags of ['-t', '-it']) {
      const out = execFileSync('script', ['-qec', `env ${env} ${TSDOCK_BIN} run ${flags} --rm --network none ${image} echo hi; stty -a`, '/dev/null'], { encoding: 'latin1' });
      const [run, after] = [out.slice(0, out.indexOf('speed')), out.slice(out.indexOf('speed'))];
      expect(JSON.stringify(run.replace(/^(\^@)+/, '')), flags).toBe(JSON.stringify('hi\r\n'));
      expect(after, flags).toMatch(/(^|\s)opost(\s|$)/m);
    }
    expect((await sb.run(['ps', '-aq'])).stdout).toBe('');
  });

  it('exec -it into a detached container: a pty of its own and the exit code', async () => {
    const id = (await sb.run(['run', '-d', '--name', 'ttyhost', image, 'sleep', '300'])).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    startInTmux(['exec', '-it', 'ttyhost', 'sh']);
    await waitFor(/^\/ #\s*$/m);
    tmux('send-keys', '-t', session, 'tty; echo $((6*7)); exit 5', 'Enter');
    const text = await waitFor(/^EXIT=5$/m);
    expect(text).toMatch(/^\/dev\/pts\/\d+$/m);
    expect(text).toMatch(/^42$/m);
    killSession();
    // The container itself keeps running.
    expect((await sb.run(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toContain('ttyhost running');
  });

  it('attach to a detached -it container: output, ctrl-p ctrl-q detaches, exit code on exit', async () => {
    const id = (await sb.run(['run', '-dit', '--name', 'att', image, 'sh'])).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    startInTmux(['attach', 'att']);
    await sleep(300);
    tmux('send-keys', '-t', session, 'echo attached-$((40+2))', 'Enter');
    await waitFor(/^attached-42\s*$/m);
    tmux('send-keys', '-t', session, 'C-p', 'C-q');
    await waitFor(/^EXIT=0$/m);
    expect((await sb.run(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toContain('att running');
    startInTmux(['attach', 'att']);
    await sleep(300);
    tmux('send-keys', '-t', session, 'stty size; exit 3', 'Enter');
    const text = await waitFor(/^EXIT=3$/m);
    expect(text).toMatch(/^30 100\s*$/m);
    killSession();
    const st = JSON.parse((await sb.run(['inspect', '--format', '{{json .State}}', 'att'])).stdout);
    expect(st.Status).toBe('exited');
    expect(st.ExitCode).toBe(3);
  });

  it('an attach session for a terminal pane (the TUI\'s): output, input, resize, detach keeps the container running', async () => {
    const id = (await sb.run(['run', '-dit', '--network', 'none', '--name', 'paneatt', image, 'sh'])).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    const engine = await Engine.open({ root: sb.root, configPath: sb.configPath, runRoot });
    const containers = await engine.containers();
    const notTty = (await sb.run(['run', '-d', '--network', 'none', '--name', 'plain', image, 'sleep', '60'])).stdout.trim();
    await expect(containers.attachPane(notTty, { cols: 70, rows: 20 })).rejects.toThrow('was not started with -it');
    const pane = await containers.attachPane('paneatt', { cols: 70, rows: 20 });
    let seen = '';
    pane.onData((d) => (seen += d));
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!re.test(seen)) {
        if (Date.now() > deadline) throw new Error(`attach output never matched ${re}: ${JSON.stringify(seen)}`);
        await sleep(50);
      }
    };
    pane.write('echo pane-$((40+2)); stty size\r');
    await until(/pane-42\r?\n/);
    await until(/20 70\r?\n/);
    pane.resize(90, 33);
    await sleep(200);
    pane.write('stty size\r');
    await until(/33 90\r?\n/);
    pane.kill();
    expect((await sb.run(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toContain('paneatt running');
    await sb.run(['rm', '-f', 'paneatt', 'plain']);
  });
});
