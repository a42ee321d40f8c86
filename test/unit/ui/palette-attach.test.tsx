import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../../src/ui/components/App.js';
import { parsePaletteCommand } from '../../../src/ui/state/palette-command.js';
import { FakeBackend, container, image } from './fake-backend.js';
import { waitForFrame } from './wait-for.js';

afterEach(() => cleanup());

describe('palette commands with an argument', () => {
  it('parses pull, run and filter, and says what is wrong', () => {
    expect(parsePaletteCommand('pull busybox:1')).toEqual({ kind: 'pull', reference: 'busybox:1' });
    expect(parsePaletteCommand('pull a b')).toMatchObject({ kind: 'error' });
    expect(parsePaletteCommand(`run busybox sh -c 'sleep 9'`)).toEqual({ kind: 'run', image: 'busybox', command: `sh -c 'sleep 9'` });
    expect(parsePaletteCommand(`run busybox sh -c 'oops`)).toEqual({ kind: 'error', message: expect.stringContaining('unterminated') });
    expect(parsePaletteCommand('filter status=exited name=^web')).toEqual({ kind: 'filter', text: 'status=exited name=^web' });
    expect(parsePaletteCommand(`exec sh -c 'top -b'`)).toEqual({ kind: 'exec', argv: ['sh', '-c', 'top -b'] });
    expect(parsePaletteCommand('exec  ')).toMatchObject({ kind: 'error', message: 'exec takes a command, e.g. :exec top' });
    expect(parsePaletteCommand('pull')).toBeUndefined(); // still a command name being typed
    expect(parsePaletteCommand('logs')).toBeUndefined();
  });

  it(':pull starts a pull, :filter filters the pane, :run opens the form prefilled', async () => {
    const backend = new FakeBackend([container('web', 'running'), container('old', 'exited', { createdMinutesAgo: 20 })], [image('busybox', 'latest', 'a')]);
    const { lastFrame, stdin } = render(<App backend={backend} size={{ columns: 80, rows: 24 }} />);
    await waitForFrame(lastFrame, 'old');
    stdin.write(':');
    await waitForFrame(lastFrame, ':pull <reference>');
    stdin.write('filter status=exited');
    await waitForFrame(lastFrame, 'filter this pane: status=exited');
    stdin.write('\r');
    await waitForFrame(lastFrame, (f) => f.includes('filter: status=exited') && !f.includes(' web '));
    stdin.write(':pull busybox:1\r');
    await waitForFrame(lastFrame, '⇣ busybox:1');
    expect(backend.calls).toContain('pull busybox:1');
    stdin.write(':run busybox sleep 300\r');
    const form = await waitForFrame(lastFrame, 'Run a container from busybox');
    expect(form).toMatch(/command +sleep 300/);
  });
});

describe(':exec', () => {
  it('runs the typed command in the selected running container, in a split pane', async () => {
    const backend = new FakeBackend([container('web', 'running', { createdMinutesAgo: 1 }), container('old', 'exited', { createdMinutesAgo: 20 })]);
    const { lastFrame, stdin } = render(<App backend={backend} size={{ columns: 100, rows: 30 }} />);
    await waitForFrame(lastFrame, 'old');
    stdin.write(`:exec sh -c 'echo hi'`);
    await waitForFrame(lastFrame, "run sh -c echo hi in the selected container");
    stdin.write('\r');
    await waitForFrame(lastFrame, '[1 web:sh -c echo hi]');
    expect(backend.calls[0]).toMatch(/^shell [0-9a-f]{12} \d+x\d+ \["sh","-c","echo hi"\]$/);
    stdin.write('\x1b[19~'); // F8 closes it
    await waitForFrame(lastFrame, (f) => !f.includes('[1 web:'));
    stdin.write('j');
    stdin.write(':exec top\r');
    await waitForFrame(lastFrame, 'exec needs a running container selected in the Containers pane');
  });
});

describe('attach in a split pane', () => {
  it('attaches to an -it container, refuses one without a terminal', async () => {
    const tty = container('term', 'running', { createdMinutesAgo: 1 });
    tty.request = { ...tty.request, tty: true, interactive: true };
    const backend = new FakeBackend([tty, container('plain', 'running', { createdMinutesAgo: 2 })]);
    const { lastFrame, stdin } = render(<App backend={backend} size={{ columns: 100, rows: 30 }} />);
    await waitForFrame(lastFrame, 'plain');
    stdin.write('A');
    await waitForFrame(lastFrame, '[1 term:attach]');
    expect(backend.calls[0]).toMatch(/^attach [0-9a-f]{12} 48x25$/);
    backend.ptys[0]!.output('/ # ');
    await waitForFrame(lastFrame, '/ #');
    stdin.write('\x1b[19~'); // F8 detaches
    await waitForFrame(lastFrame, (f) => !f.includes('[1 term:attach]'));
    expect(backend.ptys[0]!.killed).toBe(true);
    stdin.write('j');
    stdin.write('A');
    await waitForFrame(lastFrame, 'attach to plain: plain was not started with -it');
  });
});
