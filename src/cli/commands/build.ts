import type { Command } from '../command.js';
import { many, parseCommandArgs, UsageError } from '../args.js';
import { PullProgressPrinter } from '../format/pull-progress.js';
import { humanSize, isErrorKind, RunStepFailedError, DockerfileSyntaxError, type BuildEvent, type NetworkMode } from '../../core/index.js';

/** Prints build events as Docker's legacy builder does. */
function printer(out: NodeJS.WritableStream, tty: boolean): (e: BuildEvent) => void {
  const pulls = new PullProgressPrinter(out, tty);
  return (e) => {
    switch (e.type) {
      case 'context':
        return void out.write(`Sending build context to Docker daemon  ${humanSize(e.bytes, 4)}\n\n`);
      case 'step':
        return void out.write(`Step ${e.step}/${e.total} : ${e.text}\n`);
      case 'pull':
        if (e.event.type === 'resolved') return void out.write(`${e.reference.includes(':') ? e.reference.split(':').pop() : 'latest'}: Pulling from ${e.reference}\n`);
        if (e.event.type === 'done') return void out.write(`Digest: ${e.event.manifestDigest}\nStatus: Downloaded newer image for ${e.reference}\n`);
        return pulls.handle(e.event);
      case 'cache-hit':
        return void out.write(' ---> Using cache\n');
      case 'running':
        return void out.write(` ---> Running in ${e.containerId}\n`);
      case 'output':
        return void out.write(e.data);
      case 'container-removed':
        return void out.write(`Removing intermediate container ${e.containerId}\n`);
      case 'step-done':
        return void out.write(` ---> ${e.imageId}\n`);
      case 'warning':
        return void out.write(`${e.message}\n`);
      case 'built':
        return void out.write(`Successfully built ${e.imageId.slice(7, 19)}\n`);
      case 'tagged':
        return void out.write(`Successfully tagged ${e.reference}\n`);
    }
  };
}

function parseBuildArgs(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    // `--build-arg NAME` takes the value from the environment, as Docker does; unset ones are skipped.
    if (i < 0) {
      if (process.env[v] !== undefined) out[v] = process.env[v]!;
    } else out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

export const buildCommand: Command = {
  name: 'build',
  usage: 'tsdock build [OPTIONS] PATH',
  summary: 'Build an image from a Dockerfile',
  // A reader that goes away (`build | head -1`) cancels the build like ^C, so its RUN container is removed before tsdock exits.
  run: (ctx, argv) => ctx.closedOutput.hold((outputClosed) => buildImage(ctx, argv, outputClosed)),
};

async function buildImage(ctx: Parameters<Command['run']>[0], argv: string[], outputClosed: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'build',
    argv,
    {
      tag: { type: 'string', short: 't', multiple: true },
      file: { type: 'string', short: 'f' },
      'build-arg': { type: 'string', multiple: true },
      'no-cache': { type: 'boolean' },
      target: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      network: { type: 'string' },
      rm: { type: 'boolean' },
      'force-rm': { type: 'boolean' },
    },
    { min: 1, max: 1 },
  );
  const network = (values.network as string | undefined) ?? 'default';
  if (!['none', 'host', 'bridge', 'default'].includes(network)) throw new UsageError(`invalid --network "${network}": tsdock build supports none, host and bridge`, 'build');
  if (positionals[0] === '-' || /^[a-z]+:\/\//i.test(positionals[0]!)) throw new UsageError(`tsdock build takes a local directory as the context, not "${positionals[0]}"`, 'build');
  const quiet = values.quiet === true;
  const log: Buffer[] = [];
  const print = printer(ctx.stdout, ctx.isTTY);
  const onEvent = quiet ? (e: BuildEvent) => void (e.type === 'output' && log.push(e.data)) : print;
  const abort = new AbortController();
  const cancel = () => abort.abort();
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  outputClosed.addEventListener('abort', cancel, { once: true });
  try {
    const engine = await ctx.engine();
    const result = await engine.build({
      contextDir: positionals[0]!,
      dockerfile: values.file as string | undefined,
      tags: many(values.tag),
      buildArgs: parseBuildArgs(many(values['build-arg'])),
      noCache: values['no-cache'] === true,
      target: values.target as string | undefined,
      network: (network === 'default' ? 'bridge' : network) as NetworkMode,
      signal: abort.signal,
      onEvent,
    });
    if (quiet) ctx.stdout.write(`${result.imageId}\n`);
    return 0;
  } catch (err) {
    const e = err as Error;
    if (quiet) for (const chunk of log) ctx.stderr.write(chunk);
    if (isErrorKind(e, 'cancelled')) {
      ctx.stderr.write('ERROR: build cancelled\n');
      return 130;
    }
    // Docker's legacy builder prints a failed RUN's message bare and a parse error as the daemon's.
    if (e instanceof RunStepFailedError) ctx.stderr.write(`${e.message}\n`);
    else if (e instanceof DockerfileSyntaxError) ctx.stderr.write(`Error response from daemon: dockerfile parse error on ${e.message.replace(/^Dockerfile:(\d+): /, 'line $1: ')}\n`);
    else ctx.stderr.write(`Error: ${e.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    outputClosed.removeEventListener('abort', cancel);
  }
}
