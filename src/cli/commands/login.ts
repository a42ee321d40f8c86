import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../args.js';
import { readLine } from '../prompt.js';
import { loginDomain, isErrorKind, TsdockError } from '../../core/index.js';

export const loginCommand: Command = {
  name: 'login',
  usage: 'tsdock login [OPTIONS] [SERVER]',
  summary: 'Log in to a registry',
  async run(ctx, argv) {
    const { values, positionals } = parseCommandArgs(
      'login',
      argv,
      { username: { type: 'string', short: 'u' }, password: { type: 'string', short: 'p' }, 'password-stdin': { type: 'boolean' } },
      { max: 1 },
    );
    let username = values.username as string | undefined;
    let password = values.password as string | undefined;
    if (values['password-stdin']) {
      if (password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive', 'login');
      if (!username) throw new UsageError('Must provide --username with --password-stdin', 'login');
      password = await readStdin(ctx.stdin);
    } else if (password !== undefined) {
      ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (username === undefined || password === undefined) {
      if (!ctx.isTTY) throw new UsageError('Cannot perform an interactive login from a non TTY device', 'login');
      username ??= (await readLine(ctx, 'Username: '))?.trim();
      password ??= await readLine(ctx, 'Password: ');
    }
    if (!username || !password) throw new UsageError('username and password are both required', 'login');
    const engine = await ctx.engine();
    try {
      await engine.login(positionals[0] ?? 'docker.io', { username, password });
    } catch (err) {
      if (isErrorKind(err, 'unauthorized')) throw new TsdockError('unauthorized', `login to ${loginDomain(positionals[0])} failed: unauthorized: incorrect username or password`);
      throw err;
    }
    ctx.stdout.write('Login Succeeded\n');
    return 0;
  },
};

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const logoutCommand: Command = {
  name: 'logout',
  usage: 'tsdock logout [SERVER]',
  summary: 'Log out from a registry',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('logout', argv, {}, { max: 1 });
    const domain = loginDomain(positionals[0]);
    const removed = await (await ctx.engine()).logout(domain);
    ctx.stdout.write(removed ? `Removing login credentials for ${domain}\n` : `Not logged in to ${domain}\n`);
    return 0;
  },
};
