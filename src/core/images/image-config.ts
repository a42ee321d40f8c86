import { TsdockError, type ErrorKind } from '../errors.js';
/** The OCI/Docker image configuration (the blob the manifest's config descriptor points to). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerDefaults;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** What a container of this image runs with unless told otherwise. */
export interface ContainerDefaults {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** SHELL of a Dockerfile: the shell form of RUN/CMD/ENTRYPOINT runs under it. */
  Shell?: string[];
  /** HEALTHCHECK (durations in nanoseconds), as Docker stores it. */
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  /** ONBUILD triggers, as written. */
  OnBuild?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export class ImageConfigError extends TsdockError {
  constructor(message: string, kind: ErrorKind = 'invalid-argument') {
    super(kind, message);
  }
}

export function parseImageConfig(bytes: Uint8Array, where: string): ImageConfig {
  let cfg: ImageConfig;
  try {
    cfg = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfig;
  } catch {
    throw new ImageConfigError(`image config of ${where} is not valid JSON`);
  }
  if (!cfg.rootfs || !Array.isArray(cfg.rootfs.diff_ids)) throw new ImageConfigError(`image config of ${where} has no rootfs.diff_ids`);
  return cfg;
}
