import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { runTuiWith } from '../../../src/ui/run-tui.js';
import { FakeBackend, container } from './fake-backend.js';

class FakeStdin extends EventEmitter {
  isTTY = true;
  rawModes: boolean[] = [];
  private data: string | null = null;
  setRawMode(on: boolean) {
    this.rawModes.push(on);
    return this;
  }
  setEncoding() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  type(d: string) {
    this.data = d;
    this.emit('readable');
  }
}

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out = '';
  write(s: string) {
    this.out += s;
    return true;
  }
}

function streams() {
  const stdin = new FakeStdin();
  const stdout = new FakeStdout();
  const stderr = new FakeStdout();
  return { stdin, stdout, stderr, io: { stdin, stdout, stderr } as unknown as Parameters<typeof runTuiWith>[1] };
}

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('runTui', () => {
  it('draws in the alternate screen and restores the terminal on q', async () => {
    const { stdin, stdout, io } = streams();
    const done = runTuiWith(new FakeBackend([container('web', 'running')]), io);
    await until(() => stdout.out.includes('web'));
    expect(stdout.out.startsWith('\x1b[?1049h')).toBe(true);
    stdin.type('q');
    expect(await done).toBe(0);
    expect(stdout.out.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(stdin.rawModes.at(-1)).toBe(false);
  });

  it('leaves the screen and prints one line when the UI fails', async () => {
    const { stdout, stderr, io } = streams();
    const backend = new FakeBackend();
    Object.defineProperty(backend, 'keymapOverrides', {
      get() {
        throw new Error('kaboom');
      },
    });
    expect(await runTuiWith(backend, io)).toBe(1);
    expect(stdout.out.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(stderr.out).toContain('tsdock: the terminal UI stopped on an error: kaboom\n');
  });
});
