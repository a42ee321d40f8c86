import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH_ENV, EnvFileError, buildEnv, parseEnvFile } from '../../src/core/runtime/environment.js';

const extra = { hostname: 'abc123', tty: false };

describe('buildEnv', () => {
  it('gives the default PATH and HOSTNAME to an image without env', () => {
    expect(buildEnv(undefined, [], extra)).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=abc123']);
    expect(DEFAULT_PATH_ENV).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it("keeps the image's PATH in the default slot instead of adding the default one", () => {
    expect(buildEnv(['PATH=/opt/bin:/bin', 'LANG=C.UTF-8'], [], extra)).toEqual(['PATH=/opt/bin:/bin', 'HOSTNAME=abc123', 'LANG=C.UTF-8']);
  });

  it('adds TERM=xterm for a tty unless the image or user sets TERM', () => {
    expect(buildEnv([], [], { hostname: 'h', tty: true })).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=h', 'TERM=xterm']);
    expect(buildEnv(['TERM=vt100'], [], { hostname: 'h', tty: true })).toContain('TERM=vt100');
    expect(buildEnv([], ['TERM=dumb'], { hostname: 'h', tty: true }).filter((e) => e.startsWith('TERM='))).toEqual(['TERM=dumb']);
    expect(buildEnv([], [], extra).some((e) => e.startsWith('TERM='))).toBe(false);
  });

  it('lets user variables override image variables by key', () => {
    const env = buildEnv(['A=image', 'B=image'], ['A=user', 'C=user'], extra);
    expect(env).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=abc123', 'A=user', 'C=user', 'B=image']);
  });

  it('keeps values containing = intact and allows empty values', () => {
    expect(buildEnv(['X=a=b=c'], ['EMPTY='], extra)).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=abc123', 'EMPTY=', 'X=a=b=c']);
  });

  it('never emits a bare KEY, and like Docker it unsets that key', () => {
    const env = buildEnv(['KEEP=1', 'GONE=image'], ['GONE', 'NEVER'], extra);
    expect(env).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=abc123', 'KEEP=1']);
  });

  it('lets the user set HOSTNAME explicitly', () => {
    expect(buildEnv([], ['HOSTNAME=custom'], extra)).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=custom']);
  });

  it('keeps one entry per key, the last value winning', () => {
    expect(buildEnv(['A=1', 'A=2'], ['B=1', 'B=2'], extra)).toEqual([DEFAULT_PATH_ENV, 'HOSTNAME=abc123', 'B=2', 'A=2']);
  });
});

describe('parseEnvFile', () => {
  const host = { HOME: '/home/me', EMPTY: '' };

  it('passes KEY=VALUE lines through untouched, trimming only leading whitespace', () => {
    const text = 'foo=bar\n    baz=quux\n_foobar=foobaz\nwith.dots=working\nand_underscore=working too  \n';
    expect(parseEnvFile(text, host)).toEqual(['foo=bar', 'baz=quux', '_foobar=foobaz', 'with.dots=working', 'and_underscore=working too  ']);
  });

  it('skips comments and blank or whitespace-only lines', () => {
    expect(parseEnvFile('# comment=1\n\n   \t \n  # indented comment\nA=1\n', host)).toEqual(['A=1']);
  });

  it('does no quote processing', () => {
    expect(parseEnvFile(`Q="quoted value"\nS='single'\n`, host)).toEqual(['Q="quoted value"', "S='single'"]);
  });

  it('takes the host value for a bare KEY, keeping it bare (unset) when the host lacks it', () => {
    expect(parseEnvFile('HOME\nEMPTY\nUNDEFINED_VAR\n', host)).toEqual(['HOME=/home/me', 'EMPTY=', 'UNDEFINED_VAR']);
  });

  it('handles CRLF line ends and a UTF-8 BOM', () => {
    expect(parseEnvFile('\uFEFFA=1\r\nB=2\r\n', host)).toEqual(['A=1', 'B=2']);
  });

  it('refuses whitespace in a key, naming the line', () => {
    expect(() => parseEnvFile('foo=bar\n    f   =quux\n', host)).toThrow(EnvFileError);
    expect(() => parseEnvFile('foo=bar\n    f   =quux\n', host)).toThrow("variable 'f   ' contains whitespaces (line 2)");
    expect(() => parseEnvFile('first line\n', host)).toThrow("variable 'first line' contains whitespaces (line 1)");
  });

  it('refuses an empty key', () => {
    expect(() => parseEnvFile('# x\n=blank names are an error\n', host)).toThrow('no variable name on line 2');
  });

  it('returns nothing for an empty file', () => {
    expect(parseEnvFile('', host)).toEqual([]);
  });
});
