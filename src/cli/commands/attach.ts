import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

export const attachCommand: Command = {
  name: 'attach',
  usage: 'tsdock attach [OPTIONS] CONTAINER',
  summary: "Attach local standard input, output, and error streams to a running container",
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs('attach', argv, { 'no-stdin': { type: 'boolean' }, 'detach-keys': { type: 'string' }, 'sig-proxy': { type: 'boolean' } }, { min: 1, max: 1 });
    const containers = await (await ctx.engine()).containers();
    const end = await containers.attach(positionals[0]!, {
      stdin: ctx.stdin as NodeJS.ReadStream,
      stdout: ctx.stdout as NodeJS.WriteStream,
      stderr: ctx.stderr as NodeJS.WriteStream,
      noStdin: values['no-stdin'] === true,
      detachKeys: values['detach-keys'] as string | undefined,
    });
    if (!end.detached) return end.exitCode;
    ctx.stderr.write('\nread escape sequence\n');
    return 0;
  },
};

