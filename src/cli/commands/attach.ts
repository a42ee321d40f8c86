import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { attachToConmon, parseDetachKeys } from '../../core/runtime/conmon-attach.js';
import { passOutputUnchanged } from '../../core/runtime/terminal-output.js';

export const attachCommand: Command = {
  name: 'attach',
  usage: 'tsdock attach [OPTIONS] CONTAINER',
  summary: "Attach local standard input, output, and error streams to a running container",
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('attach', argv, { 'no-stdin': { type: 'boolean' }, 'detach-keys': { type: 'string' }, 'sig-proxy': { type: 'boolean' } }, { min: 1, max: 1 });
    const containers = await (await ctx.engine()).containers();
    const { rec, socketPath, controlPath } = await containers.attachTarget(positionals[0]!);
    const stdin = ctx.stdin as NodeJS.ReadStream;
    const stdout = ctx.stdout as NodeJS.WriteStream;
    const useStdin = values['no-stdin'] !== true && rec.request.interactive;
    const rawMode = useStdin && rec.request.tty && stdin.isTTY;
    // The container's pty ends lines in \r\n already: the terminal must pass them unchanged.
    const restoreOutput = rec.request.tty && stdout.isTTY ? passOutputUnchanged(stdout) : undefined;
    if (rawMode) stdin.setRawMode(true);
    try {
      const end = await attachToConmon({
        socketPath,
        controlPath,
        stdin: useStdin ? stdin : undefined,
        stdout,
        stderr: ctx.stderr as NodeJS.WriteStream,
        detachKeys: parseDetachKeys((values['detach-keys'] as string | undefined) ?? 'ctrl-p,ctrl-q'),
        terminal: rec.request.tty && stdout.isTTY ? stdout : undefined,
      });
      if (end === 'detached') {
        if (rawMode) stdin.setRawMode(false);
        restoreOutput?.();
        ctx.stderr.write('\nread escape sequence\n');
        return 0;
      }
    } finally {
      if (rawMode) stdin.setRawMode(false);
      restoreOutput?.();
      stdin.pause();
    }
    return containers.wait(rec.id);
  },
};
