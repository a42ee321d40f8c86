import type { Command } from '../command.js';
import { many, parseCommandArgs, splitAtPositional, type OptionSpec } from '../args.js';
import { ExecStartError } from '../../core/index.js';
import { execStartExitCode } from '../exit-codes.js';

const EXEC_OPTIONS: OptionSpec = {
  detach: { type: 'boolean', short: 'd' },
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  privileged: { type: 'boolean' },
};

export const execCommand: Command = {
  name: 'exec',
  usage: 'tsdock exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  summary: 'Execute a command in a running container',
  async run(ctx, argv) {
    const { head, rest } = splitAtPositional(argv, EXEC_OPTIONS, 1);
    const { values, positionals } = parseCommandArgs('exec', head, EXEC_OPTIONS, { min: 1, max: 1 });
    if (rest.length === 0) {
      ctx.stderr.write(`"tsdock exec" requires at least 2 arguments.\nSee 'tsdock exec --help'.\n`);
      return 125;
    }
    const containers = await (await ctx.engine()).containers();
    // `-e NAME` takes NAME's value from tsdock's own environment, as Docker's client does.
    const env = many(values.env).map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`));
    try {
      return await containers.exec(
        positionals[0]!,
        { cmd: rest, env, workdir: values.workdir as string | undefined, user: values.user as string | undefined, tty: values.tty === true, detach: values.detach === true, interactive: values.interactive === true },
        { stdin: ctx.stdin as NodeJS.ReadStream, stdout: ctx.stdout, stderr: ctx.stderr },
      );
    } catch (err) {
      if (!(err instanceof ExecStartError)) throw err;
      ctx.stderr.write(`Error: ${err.message}\n`);
      return execStartExitCode(err);
    }
  },
};
