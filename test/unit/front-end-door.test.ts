import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { importEdges, type ImportEdge } from '../helpers/import-graph.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOOR = 'src/core/index.ts';
const FRONT_ENDS = ['src/cli/', 'src/ui/', 'src/api/'];

/** Imports (value or type) of a front-end file into the core other than through its door. */
function pastTheDoor(edges: ImportEdge[]): string[] {
  return edges
    .filter((e) => FRONT_ENDS.some((f) => e.from.startsWith(f)) && e.to.startsWith('src/core/') && e.to !== DOOR)
    .map((e) => `${e.from} → ${e.to}${e.typeOnly ? ' (type)' : ''}`)
    .sort();
}

describe('the core has one door for the front ends (issue 10)', () => {
  const edges = importEdges(repo);

  it('no file of src/cli, src/ui or src/api imports a core module other than src/core/index.ts', () => {
    // The failure lists every offending "file → module" pair.
    expect(pastTheDoor(edges)).toEqual([]);
  });

  it('the front ends do reach the core, through the door', () => {
    const through = edges.filter((e) => FRONT_ENDS.some((f) => e.from.startsWith(f)) && e.to === DOOR);
    expect(new Set(through.map((e) => e.from.split('/')[1])).size).toBe(2);
    expect(through.length).toBeGreaterThan(40);
  });

  it('the check sees an import that goes past the door, value or type', () => {
    const sample: ImportEdge[] = [
      { from: 'src/cli/commands/exec.ts', to: 'src/core/runtime/runc.ts', typeOnly: false },
      { from: 'src/ui/data/ui-backend.ts', to: 'src/core/runtime/container-record.ts', typeOnly: true },
      { from: 'src/cli/main.ts', to: DOOR, typeOnly: false },
      { from: 'src/core/engine.ts', to: 'src/core/runtime/runc.ts', typeOnly: false },
    ];
    expect(pastTheDoor(sample)).toEqual(['src/cli/commands/exec.ts → src/core/runtime/runc.ts', 'src/ui/data/ui-backend.ts → src/core/runtime/container-record.ts (type)']);
  });

  it('the door re-exports no value from a module that spawns processes or touches the store', () => {
    // `export type {...}` lines are erased at build time; only value re-exports load a module.
    const text = readFileSync(join(repo, DOOR), 'utf8');
    const valueSources = [...text.matchAll(/^export\s+(type\s+)?\{[^}]*\}\s+from\s+'\.\/([^']+)\.js';/gm)].filter((m) => !m[1]).map((m) => m[2]!);
    expect(valueSources.length).toBeGreaterThan(10);
    const spawning = /^(runtime\/(runc|conmon|conmon-attach|exec-pty|run-command|terminal-output)|store\/.*)$/;
    expect(valueSources.filter((s) => spawning.test(s))).toEqual([]);
  });
});
