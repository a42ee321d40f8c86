import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad flag or argument: Docker prints the usage hint and exits 125. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * Parses one command's flags with node:util (no dependency on the start-up path). Flags
 * stop at the first positional for commands that pass the rest through (later: run, exec).
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, arity: { min?: number; max?: number } = {}): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = (err as Error).message;
    const flag = /'(-[^']+)'/.exec(msg)?.[1];
    if (/Unknown option/.test(msg)) throw new UsageError(`unknown flag: ${flag ?? msg}`, command);
    if (/argument missing/.test(msg)) throw new UsageError(`flag needs an argument: ${flag ?? msg}`, command);
    throw new UsageError(msg, command);
  }
  const { positionals } = parsed;
  if (arity.min !== undefined && positionals.length < arity.min) {
    throw new UsageError(`"tsdock ${command}" requires ${arity.min === arity.max ? 'exactly' : 'at least'} ${arity.min} argument${arity.min === 1 ? '' : 's'}.`, command);
  }
  if (arity.max !== undefined && positionals.length > arity.max) {
    throw new UsageError(`"tsdock ${command}" accepts at most ${arity.max} argument${arity.max === 1 ? '' : 's'}.`, command);
  }
  return parsed as ParsedArgs;
}
