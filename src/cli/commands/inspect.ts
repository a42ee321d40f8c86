import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../args.js';
import { inspectPrinter } from '../format/inspect-format.js';
import { type Engine, isErrorKind } from '../../core/index.js';

async function inspectContainer(engine: Engine, query: string): Promise<Record<string, unknown>> {
  return (await engine.containers()).inspect(query);
}

/** `inspect` (containers first, then images, as Docker), `container inspect`. */
export function inspectCommandFor(kind: 'any' | 'container'): Command {
  return {
    name: 'inspect',
    usage: kind === 'any' ? 'tsdock inspect [OPTIONS] NAME|ID [NAME|ID...]' : 'tsdock container inspect [OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Return low-level information on containers or images',
    async run(ctx, argv) {
      const { values, positionals } = parseCommandArgs('inspect', argv, { format: { type: 'string', short: 'f' }, type: { type: 'string' }, size: { type: 'boolean', short: 's' } }, { min: 1 });
      const type = (values.type as string | undefined) ?? (kind === 'container' ? 'container' : undefined);
      if (type && type !== 'container' && type !== 'image') throw new UsageError(`"${type}" is not a valid value for --type`, 'inspect');
      const engine = await ctx.engine();
      const print = inspectPrinter(values.format as string | undefined);
      const found: unknown[] = [];
      let status = 0;
      for (const q of positionals) {
        try {
          if (type === 'image') found.push(await engine.inspectImage(q));
          else if (type === 'container') found.push(await inspectContainer(engine, q));
          else
            found.push(
              // No container of that name: it may be an image.
              await inspectContainer(engine, q).catch((err) => {
                if (!isErrorKind(err, 'not-found')) throw err;
                return engine.inspectImage(q);
              }),
            );
        } catch (err) {
          // What is not "no such object" (an ambiguous ID prefix, a broken record) says what it is, as in Docker.
          ctx.stderr.write(isErrorKind(err, 'not-found') ? `Error: No such ${type ?? 'object'}: ${q}\n` : `Error: ${(err as Error).message}\n`);
          status = 1;
        }
      }
      ctx.stdout.write(print(found));
      return status;
    },
  };
}
