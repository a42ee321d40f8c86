import { describe, expect, it } from 'vitest';
import {
  ADJECTIVES,
  InvalidContainerNameError,
  NameGenerationError,
  SURNAMES,
  generateName,
  randomName,
  validateName,
} from '../../src/core/runtime/container-names.js';

// Reference: moby internal/namesgenerator (GetRandomName) and daemon/names.go
// (generateAndReserveName: six tries, then the short ID; reserveName: RestrictedNamePattern).

/** A random source returning these values in turn (then repeating the last). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

/** The value that makes `pick` choose index `i` of a list of `n`. */
const at = (i: number, n: number): number => (i + 0.5) / n;
const adj = (w: string): number => at(ADJECTIVES.indexOf(w), ADJECTIVES.length);
const sur = (w: string): number => at(SURNAMES.indexOf(w), SURNAMES.length);

describe('word lists', () => {
  it('has about 100 adjectives and 200 surnames, all distinct', () => {
    expect(ADJECTIVES.length).toBeGreaterThanOrEqual(100);
    expect(SURNAMES.length).toBeGreaterThanOrEqual(200);
    expect(new Set(ADJECTIVES).size).toBe(ADJECTIVES.length);
    expect(new Set(SURNAMES).size).toBe(SURNAMES.length);
  });

  it('only holds words that make valid container names', () => {
    for (const w of [...ADJECTIVES, ...SURNAMES]) expect(w).toMatch(/^[a-z][a-z_]*[a-z]$/);
  });
});

describe('randomName', () => {
  it('joins an adjective and a surname with an underscore', () => {
    expect(randomName(0, sequence(adj('focused'), sur('turing')))).toBe('focused_turing');
    expect(randomName(0, sequence(0, 0))).toBe(`${ADJECTIVES[0]}_${SURNAMES[0]}`);
    expect(randomName(0, sequence(0.999999, 0.999999))).toBe(`${ADJECTIVES.at(-1)}_${SURNAMES.at(-1)}`);
  });

  it('appends one digit on a retry', () => {
    expect(randomName(1, sequence(adj('focused'), sur('turing'), 0.35))).toBe('focused_turing3');
    expect(randomName(5, sequence(adj('zen'), sur('hopper'), 0.99))).toBe('zen_hopper9');
    expect(randomName(2, sequence(adj('zen'), sur('hopper'), 0))).toBe('zen_hopper0');
  });

  it('never produces boring_wozniak: it draws again', () => {
    expect(ADJECTIVES).toContain('boring');
    expect(SURNAMES).toContain('wozniak');
    const random = sequence(adj('boring'), sur('wozniak'), adj('boring'), sur('hopper'));
    expect(randomName(0, random)).toBe('boring_hopper');
  });

  it('uses Math.random by default and yields adjective_surname', () => {
    for (let i = 0; i < 50; i++) {
      const [a, s] = randomName(0).split(/_(.*)/s);
      expect(ADJECTIVES).toContain(a);
      expect(SURNAMES).toContain(s);
    }
  });
});

describe('generateName', () => {
  it('returns the first free name', () => {
    expect(generateName(() => false, sequence(adj('eager'), sur('knuth')))).toBe('eager_knuth');
  });

  it('retries with a digit appended when a name is taken', () => {
    const taken = new Set(['eager_knuth']);
    const random = sequence(adj('eager'), sur('knuth'), adj('eager'), sur('knuth'), 0.75);
    expect(generateName((n) => taken.has(n), random)).toBe('eager_knuth7');
  });

  it('asks six names, then falls back to the short ID when given one', () => {
    const asked: string[] = [];
    const name = generateName(
      (n) => (asked.push(n), true),
      sequence(0.5),
      'f3b1c2d4e5a6978812345678901234567890123456789012345678901234abcd',
    );
    expect(name).toBe('f3b1c2d4e5a6');
    expect(asked).toHaveLength(6);
    expect(asked[0]).not.toMatch(/\d$/);
    for (const n of asked.slice(1)) expect(n).toMatch(/_[a-z_]+\d$/);
  });

  it('throws NameGenerationError after six taken names without a fallback', () => {
    expect(() => generateName(() => true, sequence(0.5))).toThrow(NameGenerationError);
    expect(() => generateName(() => true)).toThrow(
      'could not generate a free container name after 6 attempts: give one with --name',
    );
  });
});

describe('validateName', () => {
  it.each([
    ['web', 'web'],
    ['/web', 'web'],
    ['my-app_1.0', 'my-app_1.0'],
    ['9lives', '9lives'],
    ['ab', 'ab'],
    ['A.B', 'A.B'],
  ])('accepts %s as %s', (input, bare) => {
    expect(validateName(input)).toBe(bare);
  });

  it.each(['a', '/a', '', '/', '_web', '-web', '.web', 'we b', 'web/1', 'wéb', 'web:1', '//web'])(
    'rejects %j',
    (input) => {
      expect(() => validateName(input)).toThrow(InvalidContainerNameError);
    },
  );

  it("words the error as Docker's daemon does", () => {
    expect(() => validateName('x')).toThrow('Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    expect(() => validateName('/bad name')).toThrow(
      'Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
    );
  });
});

describe('word lists', () => {
  it('every entry is one word of lowercase letters, so names keep the adjective_surname shape', () => {
    for (const w of [...ADJECTIVES, ...SURNAMES]) expect(w).toMatch(/^[a-z]+$/);
  });
});
