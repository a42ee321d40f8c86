import { createElement } from 'react';
import { render } from 'ink';
import type { Engine } from '../core/index.js';
import { App } from './components/App.js';
import { engineBackend } from './data/engine-backend.js';
import { FullScreenOutput } from './terminal/full-screen-output.js';
import type { UiBackend } from './data/ui-backend.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

export interface TuiStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Runs the terminal UI until the user quits: full screen in the terminal's alternate screen,
 * which is left (restoring what was there and the cursor) on q, ctrl-c, SIGTERM/SIGHUP, or an
 * error — then printed as a one-line message (the stack with TSDOCK_DEBUG=1). Resolves with the
 * exit code.
 */
export async function runTui(engine: Engine, streams: TuiStreams = process): Promise<number> {
  return runTuiWith(engineBackend(engine), streams);
}

export async function runTuiWith(backend: UiBackend, streams: TuiStreams = process): Promise<number> {
  const { stdin, stdout, stderr } = streams;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(LEAVE_ALT_SCREEN);
  };
  stdout.write(ENTER_ALT_SCREEN);

  // Errors that escape everything (a bug): leave the UI first, then say what happened.
  let failure: Error | undefined;
  const screen = new FullScreenOutput(stdout);
  const instance = render(createElement(App, { backend, redraw: () => screen.invalidate() }), {
    stdin,
    // Ink's debug mode hands each whole frame to FullScreenOutput, which rewrites changed rows only.
    stdout: screen as unknown as NodeJS.WriteStream,
    stderr,
    debug: true,
    exitOnCtrlC: false, // ctrl-c quits through the keymap, or goes to a focused shell
    patchConsole: false,
  });
  const fail = (err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    instance.unmount();
  };
  const onSignal = () => instance.unmount();
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  let code = 0;
  try {
    await instance.waitUntilExit();
  } catch (err) {
    failure ??= err as Error;
  } finally {
    instance.cleanup();
    screen.close();
    restore();
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  if (failure) {
    stderr.write(`tsdock: the terminal UI stopped on an error: ${failure.message}\n`);
    if (process.env.TSDOCK_DEBUG) stderr.write(`${failure.stack}\n`);
    code = 1;
  }
  return code;
}
