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

/**
 * For commands whose trailing arguments belong to the container (`run IMAGE CMD...`,
 * `exec CTR CMD...`): flags are only read up to the first positional, as Docker does.
 * Returns the flag part (with the first `min` positionals) and the rest verbatim.
 */
export function splitAtPositional(argv: string[], options: OptionSpec, positionalsBeforeRest: number): { head: string[]; rest: string[] } {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type === 'string') {
      takesValue.add(`--${name}`);
      if (o.short) takesValue.add(`-${o.short}`);
    }
  }
  let seen = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return { head: argv.slice(0, i), rest: argv.slice(i + 1) };
    if (a.startsWith('-') && a !== '-') {
      // `-it`, `--name=x`, `-e` VALUE: skip the value of the last short flag in a group too.
      if (!a.includes('=') && (takesValue.has(a) || (!a.startsWith('--') && takesValue.has(`-${a.at(-1)}`)))) i++;
      continue;
    }
    if (++seen === positionalsBeforeRest) return { head: argv.slice(0, i + 1), rest: argv.slice(i + 1) };
  }
  return { head: argv, rest: [] };
}

/** A repeatable string flag's values. */
export function many(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}
