// Bundles the CLI into one file: one module to load instead of hundreds, which is most of
// tsdock's start-up time on every command.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/entry.ts'],
  outdir: 'dist',
  entryNames: 'tsdock',
  chunkNames: 'chunks/[name]-[hash]',
  // Code for pulls and registries is split off and loaded on demand: `run` of a local image
  // never parses it.
  splitting: true,
  bundle: true,
  // A native addon (SEQPACKET sockets for attach): loaded from node_modules at run time.
  external: ['node-unix-socket'],
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  define: { __TSDOCK_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tsdockRequire } from 'node:module'; const require = __tsdockRequire(import.meta.url);" },
  logLevel: 'warning',
});
