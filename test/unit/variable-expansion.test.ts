import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, ExpansionError, unquoteWord } from '../../src/core/build/variable-expansion.js';

const vars = { HOME: '/root', NAME: 'app', EMPTY: '', PATH: '/usr/bin:/bin' };

describe('expandWord', () => {
  it('substitutes $VAR and ${VAR}, unset as empty', () => {
    expect(expandWord('$HOME/src', vars)).toBe('/root/src');
    expect(expandWord('${NAME}_v1', vars)).toBe('app_v1');
    expect(expandWord('$NAME_v1', vars)).toBe(''); // the name runs on: NAME_v1 is unset
    expect(expandWord('/opt/$MISSING/x', vars)).toBe('/opt//x');
    expect(expandWord('/usr/local/bin:$PATH', vars)).toBe('/usr/local/bin:/usr/bin:/bin');
  });

  it('applies the :- :+ - + modifiers with Docker meanings for unset versus empty', () => {
    expect(expandWord('${MISSING:-def}', vars)).toBe('def');
    expect(expandWord('${EMPTY:-def}', vars)).toBe('def');
    expect(expandWord('${NAME:-def}', vars)).toBe('app');
    expect(expandWord('${MISSING-def}', vars)).toBe('def');
    expect(expandWord('${EMPTY-def}', vars)).toBe('');
    expect(expandWord('${NAME:+alt}', vars)).toBe('alt');
    expect(expandWord('${EMPTY:+alt}', vars)).toBe('');
    expect(expandWord('${MISSING:+alt}', vars)).toBe('');
    expect(expandWord('${EMPTY+alt}', vars)).toBe('alt');
    expect(expandWord('${MISSING+alt}', vars)).toBe('');
  });

  it('expands inside the default word, quotes included', () => {
    expect(expandWord('${MISSING:-$HOME/x}', vars)).toBe('/root/x');
    expect(expandWord('${MISSING:-"a b"}', vars)).toBe('a b');
    expect(expandWord("${MISSING:-'$HOME'}", vars)).toBe('$HOME');
  });

  it('removes quotes; nothing expands inside single quotes', () => {
    expect(expandWord('"$HOME"', vars)).toBe('/root');
    expect(expandWord("'$HOME'", vars)).toBe('$HOME');
    expect(expandWord('"a b"c', vars)).toBe('a bc');
    expect(expandWord(`"it's"`, vars)).toBe("it's");
    expect(expandWord(`'say "hi"'`, vars)).toBe('say "hi"');
    expect(expandWord('keeps  two  spaces', vars)).toBe('keeps  two  spaces');
  });

  it('keeps an escaped $ literal and applies the escape rules in and out of double quotes', () => {
    expect(expandWord('\\$HOME', vars)).toBe('$HOME');
    expect(expandWord('"\\$HOME"', vars)).toBe('$HOME');
    expect(expandWord('C:\\\\dir', vars)).toBe('C:\\dir');
    expect(expandWord('a\\ b', vars)).toBe('a b');
    expect(expandWord('"a\\nb"', vars)).toBe('a\\nb'); // inside "..." \n is not an escape
    expect(expandWord('"say \\"hi\\""', vars)).toBe('say "hi"');
    expect(expandWord('end\\', vars)).toBe('end');
  });

  it('honours a backtick escape character, leaving backslashes alone', () => {
    expect(expandWord('`$HOME', vars, '`')).toBe('$HOME');
    expect(expandWord('C:\\Users\\$NAME', vars, '`')).toBe('C:\\Users\\app');
  });

  it('treats a lone $ and $ before a non-name character literally', () => {
    expect(expandWord('cost: $', vars)).toBe('cost: $');
    expect(expandWord('a$/b', vars)).toBe('a$/b');
    expect(expandWord('$1x', { 1: 'one' })).toBe('onex');
  });

  it('rejects bad syntax with shell-like messages', () => {
    expect(() => expandWord('${', vars)).toThrow(new ExpansionError("syntax error: missing '}'"));
    expect(() => expandWord('${HOME', vars)).toThrow("syntax error: missing '}'");
    expect(() => expandWord('${MISSING:-x', vars)).toThrow("syntax error: missing '}'");
    expect(() => expandWord('${}', vars)).toThrow('bad substitution');
    expect(() => expandWord('${:-x}', vars)).toThrow('bad substitution');
    expect(() => expandWord("'open", vars)).toThrow('matching single-quote');
    expect(() => expandWord('"open', vars)).toThrow('matching double-quote');
    expect(() => expandWord('${HOME:=x}', vars)).toThrow('unsupported modifier (=) in substitution');
    expect(() => expandWord('${MISSING:?must be set}', vars)).toThrow('MISSING: must be set');
    expect(expandWord('${HOME:?must be set}', vars)).toBe('/root');
  });

  it('expandWords expands each word on its own', () => {
    expect(expandWords(['$NAME', "'$NAME'", '${X:-8080}/tcp'], vars)).toEqual(['app', '$NAME', '8080/tcp']);
  });
});

describe('unquoteWord', () => {
  const cases = [
    'plain',
    '"a b"',
    "'$HOME'",
    '"$NAME"_suffix',
    '"\\$HOME"',
    'C:\\\\dir',
    `"it's"`,
    '"$NAME"b',
    '${MISSING:-"x y"}',
    '$',
    '$"quoted"',
    '"a\\nb"',
    '100%',
  ];

  it('removes quotes so plain values read as written', () => {
    expect(unquoteWord('"a b"')).toBe('a b');
    expect(unquoteWord("'hello world'")).toBe('hello world');
    expect(unquoteWord('"/usr/local/bin:$PATH"')).toBe('/usr/local/bin:${PATH}');
    expect(unquoteWord("'$HOME'")).toBe('\\$HOME');
  });

  it('leaves a word that expandWord then reads exactly as it read the original', () => {
    for (const word of cases) {
      expect(expandWord(unquoteWord(word), vars), word).toBe(expandWord(word, vars));
    }
    for (const word of ["'`$x'", '"a`"b"', 'C:\\x']) {
      expect(expandWord(unquoteWord(word, '`'), vars, '`'), word).toBe(expandWord(word, vars, '`'));
    }
  });

  it('is stable: unquoting twice changes nothing', () => {
    for (const word of cases) expect(unquoteWord(unquoteWord(word))).toBe(unquoteWord(word));
  });
});
