import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderCycles, importEdges, layerOf, type ImportEdge } from '../helpers/import-graph.js';

// The core's folders form layers, bottom up (LAYERS below). An import goes down, or stays
// within its folder; never up or sideways: a loop between folders means a module sits in the
// wrong folder or a type belongs lower.
const LAYERS: string[][] = [
  ['src/core/errors.ts'],
  ['src/core/trace.ts', 'src/core/format', 'src/core/process', 'src/core/oci'],
  ['src/core/store'], // atomic files, locks
  ['src/core/fs', 'src/core/registry'],
  ['src/core/images'],
  ['src/core/network'],
  ['src/core/runtime'],
  ['src/core/build'],
  ['src/core/services'], // what the engine hands out: containers, volumes, networks as plain data
  ['src/core/config.ts'],
  ['src/core/engine.ts'],
  ['src/core/index.ts'],
];

const repo = fileURLToPath(new URL('../..', import.meta.url));
const edges = importEdges(repo);

/** Each loop as its folders and the imports that tie them together, so one sees which import to move. */
function describeCycles(all: ImportEdge[]): string[] {
  return folderCycles(all).map((nodes) => {
    const inLoop = new Set(nodes);
    const ties = all
      .filter((e) => layerOf(e.from) !== layerOf(e.to) && inLoop.has(layerOf(e.from)) && inLoop.has(layerOf(e.to)))
      .map((e) => `  ${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
    return [`loop between ${nodes.join(', ')}:`, ...ties].join('\n');
  });
}

describe('architecture: imports between folders', () => {
  it('reads the source tree (the check below is not vacuous)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/core/index.ts', to: 'src/core/engine.ts' }));
  });

  it('finds a loop when there is one, type-only imports included', () => {
    const loop: ImportEdge[] = [
      { from: 'src/core/images/pull.ts', to: 'src/core/registry/registry-client.ts', typeOnly: false },
      { from: 'src/core/registry/registry-client.ts', to: 'src/core/images/digest.ts', typeOnly: true },
    ];
    expect(describeCycles(loop)).toEqual([
      'loop between src/core/images, src/core/registry:\n  src/core/images/pull.ts -> src/core/registry/registry-client.ts\n  src/core/registry/registry-client.ts -> src/core/images/digest.ts (type)',
    ]);
  });

  it('has no import loop between folders (each folder of src/core, each file at its top, each front end)', () => {
    expect(describeCycles(edges)).toEqual([]);
  });

  it('imports only downward between the layers of the core (folders not listed in LAYERS are left out)', () => {
    const rank = new Map(LAYERS.flatMap((nodes, i) => nodes.map((n) => [n, i] as const)));
    const wrongWay = edges
      .filter((e) => {
        const a = rank.get(layerOf(e.from));
        const b = rank.get(layerOf(e.to));
        return a !== undefined && b !== undefined && layerOf(e.from) !== layerOf(e.to) && a <= b;
      })
      .map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
    expect(wrongWay).toEqual([]);
  });

  it('keeps the core free of front-end code: nothing under src/core imports src/cli, src/ui or src/api', () => {
    const upward = edges.filter((e) => e.from.startsWith('src/core/') && /^src\/(cli|ui|api)\//.test(e.to)).map((e) => `${e.from} -> ${e.to}`);
    expect(upward).toEqual([]);
  });
});
