import { describe, expect, it } from 'vitest';
import {
  AmbiguousContainerError,
  InvalidContainerQueryError,
  NoSuchContainerError,
  newContainerId,
  resolveContainer,
  shortContainerId,
} from '../../src/core/runtime/container-id.js';

// Reference: moby daemon/internal/stringid (GenerateRandomID), daemon/container.go
// (GetContainer: full ID, then name, then prefix) and daemon/container/view.go (GetByPrefix).

describe('newContainerId', () => {
  it('returns 64 lowercase hex characters', () => {
    for (let i = 0; i < 20; i++) expect(newContainerId()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns different ids', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newContainerId()));
    expect(ids.size).toBe(50);
  });

  it('draws again while the short id would be all digits', () => {
    const draws = [
      Buffer.from('0123456789012345678901234567890123456789012345678901234567890123', 'hex'),
      Buffer.from('1234567890ab' + 'cd'.repeat(26), 'hex'),
    ];
    let calls = 0;
    const id = newContainerId((size) => {
      expect(size).toBe(32);
      return draws[calls++]!;
    });
    expect(calls).toBe(2);
    expect(id).toBe('1234567890ab' + 'cd'.repeat(26));
  });

  it('accepts a short id with digits and one letter', () => {
    const bytes = Buffer.from('12345678901a' + '00'.repeat(26), 'hex');
    expect(newContainerId(() => bytes)).toBe('12345678901a' + '00'.repeat(26));
  });
});

describe('shortContainerId', () => {
  it('keeps the first 12 characters', () => {
    expect(shortContainerId('abcdef0123456789')).toBe('abcdef012345');
  });
});

const A = { id: 'abc123' + '0'.repeat(58), name: 'web' };
const B = { id: 'abd456' + '1'.repeat(58), name: 'db' };
const C = { id: 'ffe789' + '2'.repeat(58), name: 'abc' };
const ALL = [A, B, C];

describe('resolveContainer', () => {
  it('finds a full id', () => {
    expect(resolveContainer(ALL, B.id)).toBe(B);
  });

  it('finds an exact name, with or without a leading slash', () => {
    expect(resolveContainer(ALL, 'web')).toBe(A);
    expect(resolveContainer(ALL, '/web')).toBe(A);
    expect(resolveContainer([{ id: 'ff' + '0'.repeat(62), name: '/legacy' }], 'legacy').name).toBe('/legacy');
  });

  it('prefers a name over an id prefix', () => {
    // "abc" is C's name and also a prefix of A's id.
    expect(resolveContainer(ALL, 'abc')).toBe(C);
  });

  it('finds a unique id prefix', () => {
    expect(resolveContainer(ALL, 'abc1')).toBe(A);
    expect(resolveContainer(ALL, 'f')).toBe(C);
    expect(resolveContainer(ALL, 'abd456111')).toBe(B);
  });

  it('refuses an ambiguous prefix, listing the short ids', () => {
    expect(() => resolveContainer(ALL, 'ab')).toThrow(AmbiguousContainerError);
    try {
      resolveContainer(ALL, 'ab');
    } catch (e) {
      const err = e as AmbiguousContainerError;
      expect(err.candidates).toEqual(['abc123000000', 'abd456111111']);
      expect(err.message).toBe(
        'multiple IDs found with provided prefix: ab (matches abc123000000, abd456111111): ' +
          'give more characters of the ID, or use the name',
      );
    }
  });

  it('reports a container that does not exist', () => {
    expect(() => resolveContainer(ALL, 'nope')).toThrow(NoSuchContainerError);
    expect(() => resolveContainer(ALL, 'nope')).toThrow('No such container: nope');
    expect(() => resolveContainer([], 'abc')).toThrow('No such container: abc');
    // Name matching is exact, not by prefix.
    expect(() => resolveContainer(ALL, 'we')).toThrow('No such container: we');
    // Ids are lowercase; an uppercase prefix matches nothing.
    expect(() => resolveContainer(ALL, 'ABC1')).toThrow('No such container: ABC1');
  });

  it('refuses an empty query', () => {
    expect(() => resolveContainer(ALL, '')).toThrow(InvalidContainerQueryError);
    expect(() => resolveContainer(ALL, '')).toThrow('invalid name or ID supplied: "": give a container name or ID');
  });
});
