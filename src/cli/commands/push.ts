import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { familiarName, familiarString, parseReference } from '../../core/index.js';
import { PushProgressPrinter } from '../format/push-progress.js';

export const pushCommand: Command = {
  name: 'push',
  usage: 'tsdock push [OPTIONS] NAME[:TAG]',
  summary: 'Upload an image to a registry',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'push',
      argv,
      { 'all-tags': { type: 'boolean', short: 'a' }, quiet: { type: 'boolean', short: 'q' } },
      { min: 1, max: 1 },
    );
    const input = positionals[0]!;
    const ref = parseReference(input);
    const quiet = values.quiet === true;
    const namesTag = /[:@][^/]*$/.test(input);
    const out = ctx.stdout;
    const engine = await ctx.engine();

    let targets: string[];
    if (values['all-tags']) {
      if (namesTag) throw new Error('tag can\'t be used with --all-tags/-a');
      targets = await engine.repositoryTags(input);
      if (targets.length === 0) throw new Error(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    } else {
      if (!namesTag && !quiet) out.write(`Using default tag: ${ref.tag}\n`);
      targets = [input];
    }
    if (!quiet) out.write(`The push refers to repository [${ref.domain}/${ref.path}]\n`);
    for (const target of targets) {
      const printer = new PushProgressPrinter(out, ctx.isTTY);
      await engine.push(target, { onEvent: quiet ? undefined : printer.handle });
    }
    if (quiet) out.write(`${values['all-tags'] ? familiarString({ domain: ref.domain, path: ref.path }) : familiarString(ref)}\n`);
    return 0;
  },
};
