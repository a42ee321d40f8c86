import type { Command } from '../command.js';
import { many, parseCommandArgs, UsageError } from '../args.js';

/** `--pause=false` / `-p=false`: Go's boolean flag syntax, which node's parser lacks. */
function takePauseFlag(argv: string[]): { argv: string[]; pause: boolean } {
  let pause = true;
  const rest: string[] = [];
  for (const a of argv) {
    const m = /^(?:--pause|-p)=(.*)$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    if (/^(true|1|t)$/i.test(m[1]!)) pause = true;
    else if (/^(false|0|f)$/i.test(m[1]!)) pause = false;
    else throw new UsageError(`invalid argument "${m[1]}" for "-p, --pause" flag: strconv.ParseBool: parsing "${m[1]}": invalid syntax`, 'commit');
  }
  return { argv: rest, pause };
}

export const commitCommand: Command = {
  name: 'commit',
  usage: 'tsdock commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  summary: "Create a new image from a container's changes",
  async run(ctx, rawArgv) {
    const { argv, pause } = takePauseFlag(rawArgv);
    const { values, positionals } = parseCommandArgs(
      'commit',
      argv,
      {
        author: { type: 'string', short: 'a' },
        change: { type: 'string', short: 'c', multiple: true },
        message: { type: 'string', short: 'm' },
        pause: { type: 'boolean', short: 'p' },
      },
      { min: 1, max: 2 },
    );
    const engine = await ctx.engine();
    const image = await engine.commit(positionals[0]!, {
      reference: positionals[1],
      author: values.author as string | undefined,
      message: values.message as string | undefined,
      changes: many(values.change),
      pause,
    });
    ctx.stdout.write(`${image.id}\n`);
    return 0;
  },
};
