import { createInterface } from 'node:readline';
import type { CliContext } from './command.js';

/** Reads one line from stdin after writing a prompt; resolves undefined at end of input. */
export function readLine(ctx: CliContext, prompt: string): Promise<string | undefined> {
  ctx.stderr.write(prompt);
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** Docker's [y/N] prompt: anything but y/yes is a no. */
export async function confirm(ctx: CliContext, prompt: string): Promise<boolean> {
  const answer = await readLine(ctx, prompt);
  return /^y(es)?$/i.test((answer ?? '').trim());
}
