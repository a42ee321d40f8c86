import type { ImageConfig } from './image-config.js';
import type { ImageRecord } from './image-record.js';
import { familiarTag } from './image-resolver.js';

/** `docker image inspect` JSON, for the fields that apply to a pulled image. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver: { Name: string; Data: { LowerDir: string } };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export function imageInspect(image: ImageRecord, config: ImageConfig, fullTags: string[], layerDirs: string[]): ImageInspect {
  const c = config.config ?? {};
  return {
    Id: image.id,
    RepoTags: fullTags.map(familiarTag),
    RepoDigests: image.repoDigests.map(familiarTag),
    Parent: image.parent ?? '',
    Comment: config.history?.at(-1)?.comment ?? '',
    Created: config.created ?? '0001-01-01T00:00:00Z',
    DockerVersion: '',
    Author: config.author ?? '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: c.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: c.ExposedPorts,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: c.Env ?? null,
      Cmd: c.Cmd ?? null,
      Image: '',
      Volumes: c.Volumes ?? null,
      WorkingDir: c.WorkingDir ?? '',
      Entrypoint: c.Entrypoint ?? null,
      OnBuild: c.OnBuild ?? null,
      Labels: c.Labels ?? null,
      ...(c.StopSignal && { StopSignal: c.StopSignal }),
      ...(c.Shell && { Shell: c.Shell }),
      ...(c.Healthcheck && { Healthcheck: c.Healthcheck }),
    },
    Architecture: config.architecture,
    ...(config.variant && { Variant: config.variant }),
    Os: config.os,
    Size: image.size,
    // Every layer is a read-only lowerdir, topmost first, as overlayfs stacks them.
    GraphDriver: { Name: 'overlay', Data: { LowerDir: [...layerDirs].reverse().join(':') } },
    RootFS: { Type: 'layers', Layers: image.layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: image.stored },
  };
}
