import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../../src/ui/components/App.js';
import { FakeBackend, container, image, logRecord } from './fake-backend.js';
import { tick, waitForFrame } from './wait-for.js';

afterEach(() => cleanup());

const F6 = '\x1b[17~';
const F8 = '\x1b[19~';
const ESC = '\x1b';

function setup(backend = new FakeBackend(
  [container('web', 'running', { createdMinutesAgo: 1 }), container('old1', 'exited', { createdMinutesAgo: 2, exitCode: 1 }), container('old2', 'exited', { createdMinutesAgo: 3 })],
  [image('busybox', 'latest', 'a')],
)) {
  let quits = 0;
  const r = render(<App backend={backend} size={{ columns: 100, rows: 30 }} onQuit={() => quits++} />);
  return { ...r, backend, quits: () => quits };
}

describe('App', () => {
  it('lists containers, filters status=exited, marks all, deletes with confirmation', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, /web[\s\S]*old1[\s\S]*old2/);
    expect(lastFrame()).toContain('1 Containers (3)');
    expect(lastFrame()!.split('\n')).toHaveLength(30);

    stdin.write('/');
    await waitForFrame(lastFrame, '/▏');
    stdin.write('status=exited');
    await waitForFrame(lastFrame, (f) => f.includes('/status=exited▏') && !f.includes(' web '));
    stdin.write('\r');
    await waitForFrame(lastFrame, 'filter: status=exited');
    stdin.write('a');
    await waitForFrame(lastFrame, '2 marked');
    stdin.write('d');
    const confirm = await waitForFrame(lastFrame, 'Remove 2 containers?');
    expect(confirm).toMatch(/old1 +[0-9a-f]{12} +exited/);
    expect(confirm).toMatch(/old2 +[0-9a-f]{12} +exited/);
    stdin.write('y');
    await waitForFrame(lastFrame, 'removed 2 containers');
    expect(backend.calls.filter((c) => c.startsWith('rm'))).toHaveLength(2);
    await waitForFrame(lastFrame, 'no container matches the filter');
    expect(lastFrame()).not.toContain('marked');
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => f.includes(' web ') && !f.includes('filter:'));
    expect(lastFrame()).toContain('1 Containers (1)');
  });

  it('n keeps everything; s, r and errors go to the status line', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('d');
    await waitForFrame(lastFrame, 'Remove 1 container?');
    expect(lastFrame()).toContain('running (will be killed)');
    stdin.write('n');
    await waitForFrame(lastFrame, 'nothing removed');
    expect(backend.calls).toEqual([]);

    stdin.write('s');
    await waitForFrame(lastFrame, 'web stopped');
    expect(backend.calls).toEqual([`stop ${backend.containers[0]!.id.slice(0, 12)}`]);
    await waitForFrame(lastFrame, /web .*Exited \(0\) Less/);
    backend.failNext = 'runc: container is not running';
    stdin.write('p');
    await waitForFrame(lastFrame, 'pause web: runc: container is not running');
  });

  it('opens a shell beside the list; keys go to it until F6; closing it keeps the app', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('e');
    await waitForFrame(lastFrame, '[1 web:/bin/sh]');
    expect(backend.calls).toEqual([`shell ${backend.containers[0]!.id.slice(0, 12)} 48x25`]);
    const pty = backend.ptys[0]!;
    pty.output('/ # ');
    await waitForFrame(lastFrame, '/ #');
    stdin.write('echo $((6*7))');
    stdin.write('\r');
    await tick();
    expect(pty.written.join('')).toBe('echo $((6*7))\r');
    pty.output('echo $((6*7))\r\n42\r\n/ # ');
    await waitForFrame(lastFrame, /│42 /);
    // q and ctrl-c belong to the shell while it has the focus.
    stdin.write('q');
    stdin.write('\x03');
    await tick();
    expect(pty.written.slice(-2)).toEqual(['q', '\x03']);

    // F6: the list has the keys again.
    stdin.write(F6);
    stdin.write('j');
    stdin.write('l');
    await waitForFrame(lastFrame, 'Logs: old1');
    expect(pty.written.at(-1)).toBe('\x03');
    stdin.write('q');
    await waitForFrame(lastFrame, (f) => !f.includes('Logs: old1'));

    stdin.write(F6);
    stdin.write('x');
    await tick();
    expect(pty.written.at(-1)).toBe('x');
    stdin.write(F8);
    await waitForFrame(lastFrame, (f) => !f.includes('[1 web:/bin/sh]'));
    expect(pty.killed).toBe(true);
    expect(lastFrame()).toMatch(/NAME\s+CONTAINER ID\s+IMAGE\s+COMMAND\s+STATUS\s+PORTS/);
  });

  it('a shell that exits closes its pane and says so', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('e');
    await waitForFrame(lastFrame, '[1 web:/bin/sh]');
    backend.ptys[0]!.exit(0);
    await waitForFrame(lastFrame, 'shell in web exited (0)');
    expect(lastFrame()).not.toContain('[1 web:/bin/sh]');
  });

  it('a shell that fails keeps its last words in the status line', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('e');
    await waitForFrame(lastFrame, '[1 web:/bin/sh]');
    backend.ptys[0]!.output('exec failed: unable to start container process: exec: "/bin/sh": no such file\r\n');
    await waitForFrame(lastFrame, 'exec failed');
    backend.ptys[0]!.exit(127);
    await waitForFrame(lastFrame, /shell in web exited \(127\): exec failed: unable to start/);
  });

  it('refuses a shell in a stopped container', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('j');
    stdin.write('e');
    await waitForFrame(lastFrame, 'old1 is not running');
    expect(backend.ptys).toHaveLength(0);
  });

  it('help, palette, logs and inspect overlays', async () => {
    const backend = new FakeBackend([container('web', 'running')], []);
    backend.logs.set(backend.containers[0]!.id, [logRecord('hello from web')]);
    const { lastFrame, stdin } = setup(backend);
    await waitForFrame(lastFrame, 'web');
    stdin.write('?');
    await waitForFrame(lastFrame, 'Containers pane');
    stdin.write(ESC);
    await waitForFrame(lastFrame, (f) => !f.includes('Containers pane'));

    stdin.write(':');
    await waitForFrame(lastFrame, ':▏');
    stdin.write('logs');
    await waitForFrame(lastFrame, ':logs▏');
    stdin.write('\r');
    await waitForFrame(lastFrame, 'hello from web');
    stdin.write('q');
    await waitForFrame(lastFrame, (f) => !f.includes('hello from web'));

    stdin.write('i');
    await waitForFrame(lastFrame, 'Inspect: web');
    expect(lastFrame()).toContain('"Name": "/web"');
    stdin.write('q');
    await waitForFrame(lastFrame, (f) => !f.includes('Inspect: web'));
  });

  it('images: H shows the history, T tags the image under a new name', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('2');
    await waitForFrame(lastFrame, /busybox\s+latest/);
    stdin.write('H');
    await waitForFrame(lastFrame, 'History: busybox:latest');
    expect(lastFrame()).toMatch(/cccccccccccc\s+\S.*ago\s+0B\s+\/bin\/sh -c #\(nop\)  CMD \["sh"\]/);
    expect(lastFrame()).toMatch(/<missing>.*4\.4MB.*ADD file:abc in \/\s+\(base layer\)/);
    expect(backend.calls).toContain('history busybox:latest');
    stdin.write('q');
    await waitForFrame(lastFrame, (f) => !f.includes('History:'));

    stdin.write('T');
    await waitForFrame(lastFrame, 'new name: busybox:▏');
    stdin.write('v2');
    await waitForFrame(lastFrame, 'new name: busybox:v2▏');
    stdin.write('\r');
    await waitForFrame(lastFrame, 'tagged busybox:v2');
    expect(backend.calls).toContain('tag busybox:latest busybox:v2');

    stdin.write('T');
    await waitForFrame(lastFrame, 'new name: busybox:▏');
    stdin.write('@x\r');
    await waitForFrame(lastFrame, 'refusing to create a tag with a digest reference');
  });

  it('panes: Tab and digits; images can be deleted by tag', async () => {
    const { lastFrame, stdin, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('\t');
    await waitForFrame(lastFrame, /REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
    expect(lastFrame()).toMatch(/busybox\s+latest\s+aaaaaaaaaaaa/);
    stdin.write('d');
    await waitForFrame(lastFrame, 'Remove 1 image?');
    stdin.write('y');
    await waitForFrame(lastFrame, 'removed 1 image');
    expect(backend.calls).toContain('rmi busybox:latest');
    stdin.write('s');
    await waitForFrame(lastFrame, 'start / stop: not in the images pane');
    stdin.write('3');
    await waitForFrame(lastFrame, /REGISTRY \/ REPOSITORY\s+LOCAL TAGS/);
    stdin.write('1');
    await waitForFrame(lastFrame, /NAME\s+CONTAINER ID/);
  });

  it('reloads when the watcher reports a change', async () => {
    const { lastFrame, backend } = setup();
    await waitForFrame(lastFrame, 'web');
    backend.containers.push(container('newcomer', 'created', { createdMinutesAgo: 0 }));
    backend.changed('containers');
    await waitForFrame(lastFrame, 'newcomer');
    expect(lastFrame()).toContain('1 Containers (4)');
  });

  it('scrolls a list of 1,000 containers', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => container(`c${String(i).padStart(4, '0')}`, 'exited', { id: i.toString(16).padStart(64, '0'), createdMinutesAgo: i }));
    const { lastFrame, stdin } = setup(new FakeBackend(many, []));
    await waitForFrame(lastFrame, 'c0000');
    stdin.write('G');
    await waitForFrame(lastFrame, 'c0999');
    expect(lastFrame()).not.toContain('c0000');
    stdin.write('g');
    await waitForFrame(lastFrame, 'c0000');
    stdin.write('\x1b[6~');
    stdin.write('\x1b[6~');
    await waitForFrame(lastFrame, (f) => f.includes('c0040') && !f.includes('c0000'));
  });

  it('applies the keymap from the config and reports bad entries', async () => {
    const backend = new FakeBackend([container('web', 'running')], []);
    backend.keymapOverrides = { delete: ['D'], frobnicate: ['z'] };
    const { lastFrame, stdin } = setup(backend);
    await waitForFrame(lastFrame, 'keymap: unknown command "frobnicate"');
    stdin.write('d');
    await tick();
    expect(lastFrame()).not.toContain('Remove 1 container?');
    stdin.write('D');
    await waitForFrame(lastFrame, 'Remove 1 container?');
  });

  it('q quits', async () => {
    const { lastFrame, stdin, quits } = setup();
    await waitForFrame(lastFrame, 'web');
    stdin.write('q');
    await tick();
    expect(quits()).toBe(1);
  });
});
