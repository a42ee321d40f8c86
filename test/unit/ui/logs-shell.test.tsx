import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { LogsOverlay } from '../../../src/ui/components/LogsOverlay.js';
import { ShellPane, shellInnerSize } from '../../../src/ui/components/ShellPane.js';
import { ShellSessions } from '../../../src/ui/terminal/shell-sessions.js';
import { defaultKeymap } from '../../../src/ui/state/keymap.js';
import { FakeBackend, FakePty, container, logRecord } from './fake-backend.js';
import { tick, waitForFrame } from './wait-for.js';

afterEach(() => cleanup());

describe('LogsOverlay', () => {
  const web = container('web', 'running');

  function setup() {
    const backend = new FakeBackend([web]);
    backend.logs.set(web.id, Array.from({ length: 30 }, (_, i) => logRecord(i === 5 ? 'needle five' : i === 20 ? 'needle twenty' : `line ${i}`)));
    let closed = 0;
    const r = render(<LogsOverlay backend={backend} containerId={web.id} name="web" keymap={defaultKeymap()} width={60} height={8} onClose={() => closed++} onQuit={() => {}} />);
    return { ...r, backend, closed: () => closed };
  }

  it('shows the end of the log and follows new lines', async () => {
    const { lastFrame, backend } = setup();
    await waitForFrame(lastFrame, 'line 29');
    expect(lastFrame()).toContain('Logs: web  [follow]');
    expect(lastFrame()).not.toContain('line 23');
    backend.appendLog(web.id, [logRecord('fresh output')]);
    const frame = await waitForFrame(lastFrame, 'fresh output');
    expect(frame).not.toContain('line 24');
  });

  it('t shows timestamps, w wraps long lines', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'line 29');
    stdin.write('t');
    await waitForFrame(lastFrame, '2024-06-01T12:00:00.000000000Z line 29');
    stdin.write('t');
    backend.appendLog(web.id, [logRecord(`${'x'.repeat(70)}END`)]);
    await waitForFrame(lastFrame, 'xxxxx');
    expect(lastFrame()).not.toContain('END');
    stdin.write('w');
    await waitForFrame(lastFrame, /\[follow wrap\][\s\S]*END/);
  });

  it('/ searches; n and N go to the next and previous match', async () => {
    const { lastFrame, stdin } = setup();
    await waitForFrame(lastFrame, 'line 29');
    stdin.write('/');
    await waitForFrame(lastFrame, '/▏');
    stdin.write('needle');
    await waitForFrame(lastFrame, '/needle▏');
    stdin.write('\r');
    let frame = await waitForFrame(lastFrame, '/needle (2)');
    expect(frame).toContain('needle five');
    stdin.write('n');
    frame = await waitForFrame(lastFrame, 'needle twenty');
    expect(frame).not.toContain('needle five');
    stdin.write('N');
    await waitForFrame(lastFrame, 'needle five');
    stdin.write('G');
    await waitForFrame(lastFrame, /line 29[\s\S]*\/needle/);
  });

  it('q closes', async () => {
    const { lastFrame, stdin, closed } = setup();
    await waitForFrame(lastFrame, 'line 29');
    stdin.write('q');
    await tick();
    expect(closed()).toBe(1);
  });
});

describe('ShellPane', () => {
  it('draws the shell screen with a tab per shell', async () => {
    const sessions = new ShellSessions();
    const pty = new FakePty(['/bin/sh']);
    const size = shellInnerSize(40, 10);
    const id = sessions.add(pty, size, () => {});
    const shells = [{ id, containerId: 'x', title: 'web:/bin/sh' }, { id: 99, containerId: 'y', title: 'db:/bin/bash' }];
    const { lastFrame } = render(<ShellPane sessions={sessions} shells={shells} active={0} focused width={40} height={10} keysHint="f6 list" />);
    expect(lastFrame()).toContain('[1 web:/bin/sh]  2 db:/bin/bash');
    pty.output('/ # echo $((6*7))\r\n42\r\n/ # ');
    const frame = await waitForFrame(lastFrame, '42');
    expect(frame).toContain('/ # echo $((6*7))');
    expect(frame.split('\n')).toHaveLength(10);
    sessions.closeAll();
  });

  it('sizes the PTY to the inside of the pane', () => {
    expect(shellInnerSize(40, 22)).toEqual({ cols: 38, rows: 19 });
  });
});
