/**
 * The door of the core: the one module the front ends (src/cli, src/ui, src/api) import from the
 * core. What is exported here is the core's API: the Engine, the plain data it takes and returns,
 * error kinds, and pure helpers for presenting that data. Nothing here spawns processes, reads
 * runtime paths or touches the store; test/unit/architecture.test.ts keeps front ends to this file.
 */
export { Engine, loginDomain, type EngineOptions, type ImageSummary, type CommitOptions, type PruneResult } from './engine.js';
export { TsdockError, errorKind, isErrorKind, ERROR_KINDS, type ErrorKind } from './errors.js';
export { startFailureExitCode } from './runtime/start-failure.js';

// The engine's service objects and the plain data they take and return.
export type { ContainerService } from './services/container-service.js';
export type { VolumeService, VolumeCreateOptions, VolumeSummary } from './services/volume-service.js';
export type { NetworkService, NetworkCreateOptions } from './services/network-service.js';
export type { ContainerSize } from './services/container-views.js';
export type { ExecOptions, ExecStreams } from './services/container-exec.js';
export type { LogsOptions } from './services/container-log-reader.js';
export type { AttachOptions as ContainerAttachOptions, AttachResult } from './services/container-attach.js';
export type { ContainerRecord, ContainerSpecRequest, ContainerStatus, ContainerState, NetworkMode } from './runtime/container-record.js';
export type { ImageRecord } from './images/image-record.js';
export type { AttachStreams } from './runtime/container-manager.js';
export type { PtySession } from './runtime/exec-pty.js';
export type { Change } from './runtime/container-diff.js';
export type { StatsEntry, StatsView, StatsSampler } from './runtime/container-stats.js';
export type { PullEvent, PullListener, LayerPhase } from './images/pull-events.js';
export type { PushEvent } from './images/push-events.js';
export type { BuildEvent } from './build/build-events.js';
export type { HistoryRow } from './images/image-history.js';
export type { KnownRegistry } from './registry/known-registries.js';
export type { NetworkRecord } from './network/network-record.js';

// Error classes whose Docker message differs within one kind (each still carries its kind).
export { ExecStartError } from './services/container-exec.js';
export { RunStepFailedError, DockerfileSyntaxError } from './build/build-errors.js';
export { CopyError, splitCpArg } from './runtime/container-copy.js';

// Pure helpers for presenting the core's data and parsing what users type.
export { trace } from './trace.js';
export { humanSize, createdSince } from './format/human.js';
export { shortId } from './oci/digest.js';
export { parseReference, formatReference, familiarName, familiarString } from './oci/reference.js';
export { familiarTag } from './images/image-resolver.js';
export { statusText, createdText } from './runtime/container-status-text.js';
export { CONTAINER_STATUSES } from './runtime/container-state-machine.js';
export { InvalidFilterError, PS_FILTER_KEYS, emptyPsFilter, matchesFilter, parsePsFilters, type ImageMatcher, type PsFilter } from './runtime/container-filter.js';
export { formatLogRecord, type LogRecord } from './runtime/container-logs.js';
export { STATS_HEADER, statsView, bytesSize } from './runtime/container-stats.js';
export { renderProcessTable, type ProcessList } from './runtime/container-top.js';
export { formatPortLines, formatPsPorts, parsePortFilter, portKey, type PublishedPort } from './network/port-spec.js';
export { isPredefined } from './network/network-record.js';
export { parseVolumeFilters, type VolumeFilter } from './runtime/volume-ops.js';
export { catalogSupported, registryOfRepository, repositoryName } from './registry/known-registries.js';
export { DEFAULT_RUN_NETWORK, runRequest, RunOptionError, splitCommandLine, type RunOptions } from './runtime/run-request.js';
export { parseEnvFile } from './runtime/environment.js';
export { validateName } from './runtime/container-names.js';
