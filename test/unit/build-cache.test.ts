import { describe, expect, it } from 'vitest';
import { stepCacheKey } from '../../src/core/build/build-cache.js';

describe('stepCacheKey', () => {
  const base = { parent: 'sha256:' + 'a'.repeat(64), instruction: 'RUN ["/bin/sh","-c","make"]' };
  it('is the same for the same inputs, whatever the order of the args', () => {
    expect(stepCacheKey({ ...base, args: { A: '1', B: '2' } })).toBe(stepCacheKey({ ...base, args: { B: '2', A: '1' } }));
    expect(stepCacheKey(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it('changes with the parent, the instruction, the sources hash and the args', () => {
    const k = stepCacheKey(base);
    expect(stepCacheKey({ ...base, parent: 'sha256:' + 'b'.repeat(64) })).not.toBe(k);
    expect(stepCacheKey({ ...base, instruction: 'RUN ["/bin/sh","-c","make install"]' })).not.toBe(k);
    expect(stepCacheKey({ ...base, sourcesHash: 'sha256:1' })).not.toBe(k);
    expect(stepCacheKey({ ...base, args: { A: '1' } })).not.toBe(k);
    expect(stepCacheKey({ ...base, args: { A: '1' } })).not.toBe(stepCacheKey({ ...base, args: { A: '2' } }));
  });
  it('does not confuse an empty parent (scratch) with a missing sources hash', () => {
    expect(stepCacheKey({ parent: '', instruction: 'x' })).not.toBe(stepCacheKey({ parent: 'x', instruction: '' }));
  });
});
