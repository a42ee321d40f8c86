// Issue 10: every error the core throws carries a kind, so front ends decide by kind. This reads
// the sources: each error class of src/core must descend from TsdockError.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = fileURLToPath(new URL('../../src/core', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
}

/** Error class name → the class it extends, over all of src/core. */
function errorClasses(): Map<string, string> {
  const parents = new Map<string, string>();
  for (const f of files(coreDir)) {
    for (const m of readFileSync(f, 'utf8').matchAll(/class (\w*Error) extends (\w+)/g)) parents.set(m[1]!, m[2]!);
  }
  return parents;
}

describe('every core error class carries a kind', () => {
  const parents = errorClasses();

  it('finds the error classes of the core', () => {
    expect(parents.size).toBeGreaterThan(50);
    expect(parents.get('NoSuchContainerError')).toBeDefined();
  });

  it('each one descends from TsdockError', () => {
    const kindless = [...parents.keys()].filter((name) => {
      const seen = new Set<string>();
      for (let c: string | undefined = name; c && !seen.has(c); c = parents.get(c)) {
        if (c === 'TsdockError') return false;
        seen.add(c);
      }
      return true;
    });
    expect(kindless).toEqual([]);
  });
});
