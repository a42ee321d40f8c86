import { TsdockError, type ErrorKind } from '../errors.js';
// The container's environment, built the way Docker's daemon builds it (moby daemon/commit.go
// merge + container.CreateDaemonEnvironment + ReplaceOrAppendEnvValues), and Docker's --env-file
// parser (docker/cli opts/file.go).

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface EnvExtras {
  hostname: string;
  tty: boolean;
}

/**
 * Result order is Docker's: PATH, HOSTNAME, TERM (each replaced in place when the image or user
 * sets it), then the user's variables, then the image's variables the user did not override.
 * A user entry without `=` (a `-e KEY` the CLI could not resolve from the host) is never emitted
 * and, as in Docker, unsets KEY: the image's value and the defaults are dropped too.
 */
export function buildEnv(imageEnv: readonly string[] | undefined, userEnv: readonly string[], extra: EnvExtras): string[] {
  const vars = new Map<string, string>(); // insertion order = output order; set() keeps a key's slot
  const put = (entry: string) => {
    const eq = entry.indexOf('=');
    if (eq < 0) vars.delete(entry);
    else vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  };
  put(DEFAULT_PATH_ENV);
  put(`HOSTNAME=${extra.hostname}`);
  if (extra.tty) put('TERM=xterm');

  const userKeys = new Set(userEnv.map(keyOf));
  for (const e of userEnv) put(e);
  for (const e of imageEnv ?? []) if (!userKeys.has(keyOf(e))) put(e);
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

function keyOf(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

export class EnvFileError extends TsdockError {
  override readonly name = 'EnvFileError';
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

/**
 * Docker's env-file rules: leading whitespace trimmed, blank and `#` lines skipped, `KEY=VALUE`
 * passed through untouched (no quote or escape processing, trailing spaces kept), and a `KEY`
 * alone takes the host's value. When the host lacks it the bare `KEY` is kept, as Docker does,
 * so buildEnv unsets it in the container.
 */
export function parseEnvFile(text: string, hostEnv: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (/[ \t]/.test(name)) {
      throw new EnvFileError(`poorly formatted environment: variable '${name}' contains whitespaces (line ${i + 1})`);
    }
    if (name === '') throw new EnvFileError(`poorly formatted environment: no variable name on line ${i + 1} '${line}'`);
    if (eq >= 0) {
      out.push(line);
      return;
    }
    const value = hostEnv[name];
    out.push(value === undefined ? name : `${name}=${value}`);
  });
  return out;
}
