import { rm } from 'node:fs/promises';
import type { Command } from '../command.js';
import { many, parseCommandArgs, splitAtPositional, type OptionSpec } from '../args.js';
import { transition } from '../../core/runtime/container-state-machine.js';
import { cleanRuncMessage } from '../../core/runtime/runc.js';

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
    const rec = await containers.find(positionals[0]!);
    if (rec.state.status === 'paused') throw new Error(`container ${rec.name} is paused, unpause the container before exec`);
    transition(rec.state.status, 'exec', rec.name);
    const tty = values.tty === true;
    const env = many(values.env).map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`));
    const file = await containers.execProcessFile(rec, { cmd: rest, env, workdir: values.workdir as string | undefined, user: values.user as string | undefined, tty });
    const detach = values.detach === true;
    try {
      // With -t runc takes the caller's terminal; otherwise output is relayed as it comes.
      const stdio = tty ? 'inherit' : detach ? 'ignore' : [values.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'];
      const child = containers.runcFor(rec).spawnExec(rec.id, file, { tty, detach }, stdio as 'inherit');
      let stderrText = '';
      if (!tty && !detach) {
        child.stdout!.on('data', (d: Buffer) => ctx.stdout.write(d));
        child.stderr!.on('data', (d: Buffer) => {
          const s = d.toString();
          // Only runc's own failure line; a program in the container may log in logrus' format too.
          if (/^time="[^"]*" level=error msg="(runc )?exec failed: /m.test(s)) stderrText += s;
          else ctx.stderr.write(d);
        });
        if (child.stdin) (ctx.stdin as NodeJS.ReadStream).pipe(child.stdin).on('error', () => {});
      }
      const code: number = await new Promise((resolve) => child.once('close', (c) => resolve(c ?? 1)));
      if (child.stdin) (ctx.stdin as NodeJS.ReadStream).unpipe(child.stdin);
      if (stderrText) {
        const msg = cleanRuncMessage(stderrText);
        ctx.stderr.write(`Error: ${msg.replace(/^exec failed: /, '')}\n`);
        // Docker: 127 command not found, 126 not executable.
        return /executable file not found|no such file/.test(msg) ? 127 : /permission denied/.test(msg) ? 126 : code;
      }
      return code;
    } finally {
      await rm(file, { force: true });
    }
  },
};
