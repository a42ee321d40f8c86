// Bundles the CLI into one file: one module to load instead of hundreds, which is most of
// tsdock's start-up time on every command.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

// Chunk names carry content hashes: start from an empty dist/ so old chunks do not pile up.
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
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
  // Native addons (SEQPACKET sockets for attach; PTYs for the TUI's shell panes): loaded from
  // node_modules at run time.
  // `react-devtools-core` is Ink's optional debugging hook (only with DEV=true); not bundled.
  external: ['node-unix-socket', 'node-pty', 'react-devtools-core'],
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  // NODE_ENV=production: React's production build only (the development one is larger and slower).
  define: { __TSDOCK_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tsdockRequire } from 'node:module'; const require = __tsdockRequire(import.meta.url);" },
  logLevel: 'warning',
});
