// The Dockerfile as Docker reads it: parser directives (`# escape=`), comments, line
// continuations, keywords, builder flags (`--from=`), JSON (exec) versus shell form, and the
// per-instruction argument rules, grouped into build stages. Nothing is expanded here: values
// keep their `$VAR`s for the executor to expand (see variable-expansion.ts). Pure.
import { ExpansionError, unquoteWord } from './variable-expansion.js';
import { DockerfileSyntaxError } from './build-errors.js';

export { DockerfileSyntaxError };

export type CommandForm = { form: 'shell'; command: string } | { form: 'exec'; argv: string[] };

/** HEALTHCHECK as the image config stores it; durations in nanoseconds, unset ones absent. */
export interface HealthcheckSpec {
  /** ['NONE'], ['CMD', ...argv] or ['CMD-SHELL', command]. */
  test: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

export type Instruction = {
  line: number;
  /** The instruction as written (continuations joined as Docker joins them), for "Step N/M : <text>". */
  text: string;
} & (
  | { kind: 'FROM'; image: string; stageName?: string; platform?: string }
  | { kind: 'RUN'; run: CommandForm }
  | { kind: 'CMD' | 'ENTRYPOINT'; run: CommandForm }
  | {
      kind: 'COPY' | 'ADD';
      /** Unexpanded words (quotes still in place: expandWord removes them). */
      sources: string[];
      dest: string;
      from?: string;
      chown?: string;
      chmod?: string;
      /** `--link`: accepted; it changes only how BuildKit layers the result, not the result. */
      link?: boolean;
    }
  | {
      kind: 'ENV' | 'LABEL';
      /**
       * Values unexpanded with their quotes removed. Characters the quotes protected are kept
       * escaped (`'$HOME'` is `\$HOME`), so expandWord(value, env) gives Docker's value.
       */
      pairs: [string, string][];
    }
  | { kind: 'ARG'; name: string; /** Unexpanded, quotes removed as for ENV. */ defaultValue?: string }
  | { kind: 'WORKDIR'; path: string }
  | { kind: 'USER'; user: string }
  | { kind: 'EXPOSE'; ports: string[] }
  | { kind: 'VOLUME'; paths: string[] }
  | { kind: 'STOPSIGNAL'; signal: string }
  | { kind: 'SHELL'; shell: string[] }
  | { kind: 'HEALTHCHECK'; args: string; healthcheck: HealthcheckSpec }
  | { kind: 'ONBUILD'; /** the trigger as written, e.g. "RUN make" */ args: string; trigger: Instruction }
  | { kind: 'MAINTAINER'; args: string }
);

export type InstructionKind = Instruction['kind'];
/** One kind of instruction (COPY and ADD share a shape, so this intersects rather than Extracts). */
export type InstructionOf<K extends InstructionKind> = Instruction & { kind: K };

export interface Stage {
  index: number;
  /** The lowercased `AS` name. */
  name?: string;
  /** Unexpanded (may use meta ARGs). */
  baseImage: string;
  platform?: string;
  from: InstructionOf<'FROM'>;
  /** The instructions after the FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface MetaArg {
  name: string;
  defaultValue?: string;
  line: number;
  text: string;
}

export interface ParsedDockerfile {
  escapeChar: '\\' | '`';
  /** ARGs before the first FROM; Docker numbers them as steps too (Step 1/N : ARG ...). */
  metaArgs: MetaArg[];
  stages: Stage[];
  /** Meta ARGs + every FROM + every instruction: the N of Docker's "Step i/N". */
  stepCount: number;
}

/** The N of "Step i/N" when the build stops after `last` (`--target`): later stages are not built. */
export function countSteps(df: ParsedDockerfile, last: Stage = df.stages[df.stages.length - 1]!): number {
  let n = df.metaArgs.length;
  for (const stage of df.stages.slice(0, last.index + 1)) n += 1 + stage.instructions.length;
  return n;
}

/** The stage `--target` or `COPY --from` names: by its AS name (any case), else by its index. */
export function findStage(df: ParsedDockerfile, nameOrIndex: string): Stage | undefined {
  const name = nameOrIndex.toLowerCase();
  const named = df.stages.find((s) => s.name === name);
  if (named) return named;
  return /^\d+$/.test(nameOrIndex) ? df.stages[Number(nameOrIndex)] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Lines: directives, comments, continuations.

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);

interface LogicalLine {
  line: number;
  text: string;
}

function isComment(raw: string): boolean {
  return raw.trimStart().startsWith('#');
}

/** Reads the directives at the top; they end at the first line that is not one (even a blank). */
function readDirectives(lines: string[]): '\\' | '`' {
  let escape: '\\' | '`' = '\\';
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!.trimStart());
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) break;
    if (seen.has(name)) throw new DockerfileSyntaxError(`only one ${name} parser directive can be used`, i + 1);
    seen.add(name);
    if (name === 'escape') {
      const value = m[2]!;
      if (value !== '\\' && value !== '`') {
        throw new DockerfileSyntaxError(`invalid escape token '${value}' does not match \` or \\`, i + 1);
      }
      escape = value;
    }
  }
  return escape;
}

/** Joins continuation lines as Docker does: the escape char (and blanks after it) is dropped, the rest concatenated. */
function logicalLines(lines: string[], escape: string): LogicalLine[] {
  const continuation = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`);
  const trimContinuation = (s: string): [string, boolean] => {
    const m = continuation.exec(s);
    return m ? [s.slice(0, m.index), false] : [s, true];
  };
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!.trimStart();
    const line = i + 1;
    i++;
    if (first.startsWith('#')) continue;
    let [text, ended] = trimContinuation(first);
    if (ended && text === '') continue;
    while (!ended && i < lines.length) {
      const raw = lines[i]!;
      i++;
      // Comments and empty lines inside a continuation are skipped, not ends.
      if (isComment(raw) || raw.trim() === '') continue;
      const [part, end] = trimContinuation(raw);
      text += part;
      ended = end;
    }
    out.push({ line, text: text.trim() });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Words.

const WHITESPACE = /[\t\v\f\r ]+/;
const isSpace = (ch: string) => /\s/.test(ch);

/**
 * Splits the leading `--flag[=value]` words off an instruction's arguments (quotes inside a
 * flag are removed). `--` alone ends the flags.
 */
function extractFlags(args: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < args.length && isSpace(args[pos]!)) pos++;
    if (!args.startsWith('--', pos)) return { flags, rest: args.slice(pos) };
    let word = '';
    let quote = '';
    let blankOk = false;
    while (pos < args.length) {
      const ch = args[pos]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\' && pos + 1 < args.length) word += args[++pos];
        else if (ch !== '\\') word += ch;
        pos++;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === '\\') {
        if (pos + 1 < args.length) word += args[++pos];
      } else word += ch;
      pos++;
    }
    if (word === '--') return { flags, rest: args.slice(pos) };
    if (word !== '' || blankOk) flags.push(word);
  }
}

/**
 * Splits on whitespace outside quotes, keeping quotes and escapes in the words (Docker's
 * parseWords, used for ENV, LABEL and ARG: quote removal happens at expansion).
 */
function splitWordsKeepingQuotes(text: string, escape: string): string[] {
  const words: string[] = [];
  const chars = Array.from(text);
  let word = '';
  let quote = '';
  let inWord = false;
  let blankOk = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escape && quote !== "'") {
        if (i + 1 === chars.length) continue;
        word += ch;
        word += chars[++i];
        continue;
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (blankOk || word !== '') words.push(word);
      word = '';
      inWord = false;
      blankOk = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOk = true;
    } else if (ch === escape) {
      if (i + 1 === chars.length) continue;
      word += ch;
      word += chars[++i];
      continue;
    }
    word += ch;
  }
  if (inWord && (blankOk || word !== '')) words.push(word);
  return words;
}

function splitWhitespace(text: string): string[] {
  return text === '' ? [] : text.split(WHITESPACE).filter((w) => w !== '');
}

/** The exec form: a JSON array of strings. undefined when the text is not JSON (shell form). */
function parseJsonArray(text: string, line: number): string[] | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    // Not JSON: the shell form, as Docker reads it.
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    throw new DockerfileSyntaxError('when using JSON array syntax, arrays must be comprised of strings only', line);
  }
  return value as string[];
}

// ---------------------------------------------------------------------------------------------
// Flags.

type FlagType = 'string' | 'bool';

/** Flags Docker accepts that tsdock does not implement: a clear refusal beats a silent difference. */
const UNSUPPORTED_FLAGS: Record<string, string[]> = {
  RUN: ['mount', 'network', 'security', 'device'],
  COPY: ['parents', 'exclude'],
  ADD: ['checksum', 'keep-git-dir', 'exclude'],
};

function parseFlags(
  words: string[],
  keyword: string,
  allowed: Record<string, FlagType>,
  line: number,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const word of words) {
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const type = allowed[name];
    if (!type) {
      if (UNSUPPORTED_FLAGS[keyword]?.includes(name)) {
        throw new DockerfileSyntaxError(`${keyword} --${name} is not supported by tsdock build`, line);
      }
      const known = Object.keys(allowed).map((f) => `--${f}`);
      const hint = known.length > 0 ? ` (${keyword} accepts ${known.join(', ')})` : ` (${keyword} takes no flags)`;
      throw new DockerfileSyntaxError(`unknown flag: ${name}${hint}`, line);
    }
    if (values.has(name)) throw new DockerfileSyntaxError(`duplicate flag specified: ${name}`, line);
    if (type === 'string') {
      if (eq < 0) throw new DockerfileSyntaxError(`missing a value on flag: ${name}`, line);
      values.set(name, body.slice(eq + 1));
    } else {
      const v = eq < 0 ? 'true' : body.slice(eq + 1).toLowerCase();
      if (v !== 'true' && v !== 'false') {
        throw new DockerfileSyntaxError(`expecting boolean value for flag ${name}, not: ${body.slice(eq + 1)}`, line);
      }
      values.set(name, v);
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Instructions.

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const HEREDOC = /^\d*<<-?(["']?)[A-Za-z_][A-Za-z0-9_]*\1$/;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An instruction before its line and text are attached. */
type Body<K extends InstructionKind = InstructionKind> = DistributiveOmit<InstructionOf<K>, 'line' | 'text'>;

interface Request {
  keyword: string;
  flags: string[];
  /** The arguments after the flags. */
  args: string;
  /** Everything after the keyword, flags included, as written. */
  raw: string;
  line: number;
  escape: string;
}

const noFlags = (r: Request) => parseFlags(r.flags, r.keyword, {}, r.line);

function fail(r: Request, message: string): never {
  throw new DockerfileSyntaxError(message, r.line);
}

/** Quote removal for ENV/LABEL/ARG values, with the line in the error. */
function unquote(r: Request, word: string): string {
  try {
    return unquoteWord(word, r.escape);
  } catch (err) {
    if (err instanceof ExpansionError) fail(r, `${r.keyword} ${word}: ${err.message}`);
    throw err;
  }
}

function rejectHeredoc(r: Request): void {
  if (splitWhitespace(r.args).some((w) => HEREDOC.test(w))) {
    fail(r, `${r.keyword} with a heredoc (<<EOF) is not supported by tsdock build; use a shell-form command or COPY a file`);
  }
}

function commandForm(r: Request): CommandForm {
  if (r.args === '') fail(r, `${r.keyword} requires at least one argument`);
  const argv = parseJsonArray(r.args, r.line);
  return argv ? { form: 'exec', argv } : { form: 'shell', command: r.args };
}

function parseFrom(r: Request): Body<'FROM'> {
  const flags = parseFlags(r.flags, r.keyword, { platform: 'string' }, r.line);
  const args = splitWhitespace(r.args);
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      fail(r, `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) fail(r, 'FROM requires either one or three arguments (FROM image [AS name])');
  const platform = flags.get('platform');
  return {
    kind: 'FROM',
    image: args[0]!,
    ...(stageName !== undefined && { stageName }),
    ...(platform !== undefined && { platform }),
  };
}

function parseCopy(r: Request, kind: 'COPY' | 'ADD'): Body<'COPY' | 'ADD'> {
  const allowed: Record<string, FlagType> = { chown: 'string', chmod: 'string', link: 'bool' };
  if (kind === 'COPY') allowed.from = 'string';
  const flags = parseFlags(r.flags, r.keyword, allowed, r.line);
  rejectHeredoc(r);
  const args = parseJsonArray(r.args, r.line) ?? splitWhitespace(r.args);
  if (args.length < 2) {
    fail(r, `${kind} requires at least two arguments, but only ${args.length === 0 ? 'none were' : 'one was'} provided. Destination could not be determined.`);
  }
  const chmod = flags.get('chmod');
  if (chmod !== undefined && !/^[0-7]{1,4}$/.test(chmod)) {
    fail(r, `invalid chmod parameter: ${chmod} (an octal mode such as 0755 is expected)`);
  }
  const out: Body<'COPY' | 'ADD'> = { kind, sources: args.slice(0, -1), dest: args[args.length - 1]! };
  for (const key of ['from', 'chown', 'chmod'] as const) {
    const v = flags.get(key);
    if (v !== undefined) {
      if (v === '') fail(r, `--${key} needs a value`);
      out[key] = v;
    }
  }
  if (flags.get('link') === 'true') out.link = true;
  return out;
}

/** ENV and LABEL: `key=value ...`, or the legacy `key value with spaces` (one pair). */
function parseKeyValues(r: Request, kind: 'ENV' | 'LABEL'): Body<'ENV' | 'LABEL'> {
  noFlags(r);
  const words = splitWordsKeepingQuotes(r.args, r.escape);
  if (words.length === 0) fail(r, `${kind} requires at least one argument`);
  const pairs: [string, string][] = [];
  if (!words[0]!.includes('=')) {
    const ws = WHITESPACE.exec(r.args);
    if (!ws) fail(r, `${kind} must have two arguments (${kind} key=value, or the legacy ${kind} key value)`);
    const value = r.args.slice(ws.index + ws[0].length);
    pairs.push([unquote(r, r.args.slice(0, ws.index)), unquote(r, value)]);
  } else {
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq < 0) fail(r, `Syntax error - can't find = in "${word}". Must be of the form: name=value`);
      pairs.push([unquote(r, word.slice(0, eq)), unquote(r, word.slice(eq + 1))]);
    }
  }
  for (const [key] of pairs) if (key === '') fail(r, `${kind} names can not be blank`);
  return { kind, pairs };
}

function parseArg(r: Request): Body<'ARG'> {
  noFlags(r);
  const words = splitWordsKeepingQuotes(r.args, r.escape);
  if (words.length === 0) fail(r, 'ARG requires at least one argument');
  if (words.length > 1) fail(r, 'ARG with several names is not supported by tsdock build: write one ARG per line');
  const word = words[0]!;
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (name === '') fail(r, 'ARG names can not be blank');
  return eq < 0 ? { kind: 'ARG', name } : { kind: 'ARG', name, defaultValue: unquote(r, word.slice(eq + 1)) };
}

function oneString(r: Request): string {
  noFlags(r);
  if (r.args === '') fail(r, `${r.keyword} requires exactly one argument`);
  return r.args;
}

function parseVolume(r: Request): Body<'VOLUME'> {
  noFlags(r);
  const paths = parseJsonArray(r.args, r.line) ?? splitWhitespace(r.args);
  if (paths.length === 0) fail(r, 'VOLUME requires at least one argument');
  if (paths.some((p) => p.trim() === '')) fail(r, 'VOLUME specified can not be an empty string');
  return { kind: 'VOLUME', paths };
}

function parseShell(r: Request): Body<'SHELL'> {
  noFlags(r);
  const shell = parseJsonArray(r.args, r.line);
  if (!shell) fail(r, 'SHELL requires the arguments to be in JSON form, e.g. SHELL ["/bin/sh", "-c"]');
  if (shell.length === 0) fail(r, 'SHELL requires at least one argument');
  return { kind: 'SHELL', shell };
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration ("1m30s", "500ms"), in nanoseconds; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  }
  return Math.round(m[1] === '-' ? -total : total);
}

function parseHealthcheck(r: Request): Body<'HEALTHCHECK'> {
  const flags = parseFlags(
    r.flags,
    r.keyword,
    { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
    r.line,
  );
  const args = r.args;
  const [type = '', ...rest] = args.split(WHITESPACE);
  const raw = r.raw;
  const upper = type.toUpperCase();
  if (upper === 'NONE') {
    if (rest.length > 0) fail(r, 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', args: raw, healthcheck: { test: ['NONE'] } };
  }
  if (upper !== 'CMD') fail(r, type === '' ? 'HEALTHCHECK requires an argument (CMD ... or NONE)' : `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const cmd = args.slice(type.length).trim();
  if (cmd === '') fail(r, 'HEALTHCHECK CMD requires a command');
  const argv = parseJsonArray(cmd, r.line);
  const healthcheck: HealthcheckSpec = { test: argv ? ['CMD', ...argv] : ['CMD-SHELL', cmd] };
  const durations = [
    ['interval', 'interval'],
    ['timeout', 'timeout'],
    ['start-period', 'startPeriod'],
    ['start-interval', 'startInterval'],
  ] as const;
  for (const [flag, key] of durations) {
    const text = flags.get(flag);
    if (text === undefined || text === '') continue;
    const ns = parseGoDuration(text);
    if (ns === undefined) fail(r, `invalid duration for --${flag}: "${text}" (use e.g. 30s, 1m30s, 500ms)`);
    if (ns !== 0 && ns < 1e6) fail(r, `Interval "${flag}" cannot be less than 1ms`);
    healthcheck[key] = ns;
  }
  const retries = flags.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^-?\d+$/.test(retries)) fail(r, `invalid value for --retries: "${retries}" (a whole number is expected)`);
    const n = Number(retries);
    if (n < 0) fail(r, `--retries cannot be negative (${n})`);
    healthcheck.retries = n;
  }
  return { kind: 'HEALTHCHECK', args: raw, healthcheck };
}

const ONBUILD_FORBIDDEN = new Set(['ONBUILD', 'FROM', 'MAINTAINER']);

function parseOnbuild(r: Request): Body<'ONBUILD'> {
  noFlags(r);
  if (r.args === '') fail(r, 'ONBUILD requires at least one argument');
  const trigger = parseInstruction({ line: r.line, text: r.args }, r.escape);
  if (trigger.kind === 'ONBUILD') fail(r, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (ONBUILD_FORBIDDEN.has(trigger.kind)) fail(r, `${trigger.kind} isn't allowed as an ONBUILD trigger`);
  return { kind: 'ONBUILD', args: r.args, trigger };
}

const PARSERS: Record<InstructionKind, (r: Request) => Body> = {
  FROM: parseFrom,
  RUN: (r) => {
    parseFlags(r.flags, r.keyword, {}, r.line);
    rejectHeredoc(r);
    return { kind: 'RUN', run: commandForm(r) };
  },
  CMD: (r) => (noFlags(r), { kind: 'CMD', run: commandForm(r) }),
  ENTRYPOINT: (r) => (noFlags(r), { kind: 'ENTRYPOINT', run: commandForm(r) }),
  COPY: (r) => parseCopy(r, 'COPY'),
  ADD: (r) => parseCopy(r, 'ADD'),
  ENV: (r) => parseKeyValues(r, 'ENV'),
  LABEL: (r) => parseKeyValues(r, 'LABEL'),
  ARG: parseArg,
  WORKDIR: (r) => ({ kind: 'WORKDIR', path: oneString(r) }),
  USER: (r) => ({ kind: 'USER', user: oneString(r) }),
  STOPSIGNAL: (r) => ({ kind: 'STOPSIGNAL', signal: oneString(r) }),
  MAINTAINER: (r) => ({ kind: 'MAINTAINER', args: oneString(r) }),
  EXPOSE: (r) => {
    noFlags(r);
    const ports = splitWhitespace(r.args);
    if (ports.length === 0) fail(r, 'EXPOSE requires at least one argument');
    return { kind: 'EXPOSE', ports };
  },
  VOLUME: parseVolume,
  SHELL: parseShell,
  HEALTHCHECK: parseHealthcheck,
  ONBUILD: parseOnbuild,
};

function isKind(keyword: string): keyword is InstructionKind {
  return Object.prototype.hasOwnProperty.call(PARSERS, keyword);
}

function parseInstruction(logical: LogicalLine, escape: string): Instruction {
  const { line, text } = logical;
  const ws = WHITESPACE.exec(text);
  const word = ws ? text.slice(0, ws.index) : text;
  const keyword = word.toUpperCase();
  if (!isKind(keyword)) throw new DockerfileSyntaxError(`unknown instruction: ${keyword}`, line);
  const raw = ws ? text.slice(ws.index + ws[0].length) : '';
  const { flags, rest } = extractFlags(raw);
  const body = PARSERS[keyword]({ keyword, flags, args: rest.trim(), raw, line, escape });
  return { line, text, ...body } as Instruction;
}

/** Parses a Dockerfile; throws DockerfileSyntaxError naming the line of the first problem. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const escapeChar = readDirectives(lines);
  const logical = logicalLines(lines, escapeChar);
  if (logical.length === 0) throw new DockerfileSyntaxError('the Dockerfile has no instructions', 1);

  const metaArgs: MetaArg[] = [];
  const stages: Stage[] = [];
  for (const l of logical) {
    const instruction = parseInstruction(l, escapeChar);
    if (instruction.kind === 'FROM') {
      const name = instruction.stageName;
      if (name !== undefined && stages.some((s) => s.name === name)) {
        throw new DockerfileSyntaxError(`duplicate stage name "${name}"`, l.line);
      }
      stages.push({
        index: stages.length,
        ...(name !== undefined && { name }),
        baseImage: instruction.image,
        ...(instruction.platform !== undefined && { platform: instruction.platform }),
        from: instruction,
        instructions: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage) stage.instructions.push(instruction);
    else if (instruction.kind === 'ARG') {
      metaArgs.push({
        name: instruction.name,
        ...(instruction.defaultValue !== undefined && { defaultValue: instruction.defaultValue }),
        line: instruction.line,
        text: instruction.text,
      });
    } else {
      throw new DockerfileSyntaxError(
        `${instruction.kind} before the first FROM: no build stage in current context (only ARG may come before FROM)`,
        l.line,
      );
    }
  }
  if (stages.length === 0) {
    throw new DockerfileSyntaxError('no FROM instruction: a Dockerfile needs at least one FROM (only ARGs were found)', logical[logical.length - 1]!.line);
  }
  const df: ParsedDockerfile = { escapeChar, metaArgs, stages, stepCount: 0 };
  df.stepCount = countSteps(df);
  return df;
}
