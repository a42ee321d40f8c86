/**
 * The door of the core: the one module the front ends (src/cli, src/ui, src/api) import from the
 * core. What is exported here is the core's API: the Engine, the plain data it takes and returns,
 * error kinds, and pure helpers for presenting that data. Nothing here spawns processes, reads
 * runtime paths or touches the store; test/unit/architecture.test.ts keeps front ends to this file.
 */
export { Engine, loginDomain, type EngineOptions, type ImageSummary, type CommitOptions, type PruneResult } from './engine.js';
export { TsdockError, errorKind, isErrorKind, ERROR_KINDS, type ErrorKind } from './errors.js';
export { startFailureExitCode } from './runtime/start-failure.js';
