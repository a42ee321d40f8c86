import { describe, expect, it } from 'vitest';
import { ZERO_TIME, type ContainerRecord, type ContainerState } from '../../src/core/runtime/container-record.js';
import {
  InvalidFilterError,
  emptyPsFilter,
  matchesFilter,
  parsePsFilters,
  type ImageMatcher,
} from '../../src/core/runtime/container-filter.js';

// Reference: moby daemon/list.go (foldFilter, includeContainerInList), api/types/filters
// (Match: exact or regexp; MatchKVList) and docker/cli opts.FilterOpt.

const T = '2024-06-01T12:00:00Z';

function rec(id: string, name: string, state: Partial<ContainerState>, labels: Record<string, string> = {}, image = 'busybox'): ContainerRecord {
  return {
    id: id.padEnd(64, '0'),
    name,
    imageId: `sha256:${'a'.repeat(64)}`,
    created: T,
    request: {
      image,
      env: [],
      tty: false,
      interactive: false,
      labels,
      binds: [],
      volumes: [],
      tmpfs: [],
      readOnlyRootfs: false,
      init: false,
      capAdd: [],
      capDrop: [],
      privileged: false,
      securityOpt: [],
      network: 'private',
      autoRemove: false,
    },
    path: 'sh',
    args: [],
    env: [],
    workdir: '/',
    user: '0:0',
    hostname: id.slice(0, 12),
    stopSignal: 'SIGTERM',
    state: {
      status: 'created',
      pid: 0,
      exitCode: 0,
      oomKilled: false,
      startedAt: ZERO_TIME,
      finishedAt: ZERO_TIME,
      error: '',
      ...state,
    },
    restartCount: 0,
    monitor: 'conmon',
    ownerPid: 0,
  };
}

const web = rec('aa11', 'web', { status: 'running', pid: 10, startedAt: T }, { env: 'prod', tier: 'front' }, 'nginx:1.25');
const db = rec('bb22', 'db', { status: 'exited', exitCode: 137, startedAt: T, finishedAt: T }, { env: 'dev' }, 'postgres');
const job = rec('aa33', 'job-1', { status: 'exited', exitCode: 0, startedAt: T, finishedAt: T }, {}, 'busybox');
const fresh = rec('cc44', 'fresh', { status: 'created' }, { env: '' }, 'busybox');
const frozen = rec('dd55', 'frozen', { status: 'paused', pid: 11, startedAt: T }, {}, 'nginx:1.25');
const ALL = [web, db, job, fresh, frozen];

const byImage: ImageMatcher = (ancestor, r) => r.request.image === ancestor || r.request.image.startsWith(`${ancestor}:`);
const names = (args: string[]): string[] => {
  const f = parsePsFilters(args);
  return ALL.filter((r) => matchesFilter(r, f, byImage)).map((r) => r.name);
};

describe('parsePsFilters', () => {
  it('parses every supported key', () => {
    expect(
      parsePsFilters([
        'status=running',
        'status=exited',
        'name=web',
        'id=aa',
        'ancestor=nginx',
        'label=env',
        'label=env=prod',
        'exited=137',
        'exited=-1',
        'network=front',
        'publish=80',
        'expose=53/udp',
        'volume=data',
      ]),
    ).toEqual({
      status: ['running', 'exited'],
      name: ['web'],
      id: ['aa'],
      ancestor: ['nginx'],
      label: [{ key: 'env' }, { key: 'env', value: 'prod' }],
      exited: [137, -1],
      network: ['front'],
      publish: [{ from: 80, to: 80, protocol: 'tcp' }],
      expose: [{ from: 53, to: 53, protocol: 'udp' }],
      volume: ['data'],
      all: true,
    });
  });

  it('returns an empty filter for no flags, and skips empty flag values', () => {
    expect(parsePsFilters([])).toEqual(emptyPsFilter());
    expect(parsePsFilters([''])).toEqual(emptyPsFilter());
    expect(emptyPsFilter().all).toBe(false);
  });

  it('lowercases and trims the key and trims the value, as the docker CLI does', () => {
    expect(parsePsFilters([' Status = exited ']).status).toEqual(['exited']);
  });

  it('keeps everything after the first = in the value', () => {
    expect(parsePsFilters(['label=a=b=c']).label).toEqual([{ key: 'a', value: 'b=c' }]);
    expect(parsePsFilters(['label=a=']).label).toEqual([{ key: 'a', value: '' }]);
    expect(parsePsFilters(['name=^web=']).name).toEqual(['^web=']);
  });

  it('drops repeated values', () => {
    const f = parsePsFilters(['status=exited', 'status=exited', 'label=x', 'label=x', 'exited=1', 'exited=01']);
    expect(f.status).toEqual(['exited']);
    expect(f.label).toEqual([{ key: 'x' }]);
    expect(f.exited).toEqual([1]);
  });

  it('rejects an unknown key', () => {
    expect(() => parsePsFilters(['foo=bar'])).toThrow(InvalidFilterError);
    expect(() => parsePsFilters(['foo=bar'])).toThrow(
      "invalid filter 'foo': supported filters are ancestor, exited, expose, id, label, name, network, publish, status, volume",
    );
    expect(() => parsePsFilters(['health=healthy'])).toThrow(/^invalid filter 'health'/);
  });

  it('rejects a value without =', () => {
    expect(() => parsePsFilters(['status'])).toThrow(
      "bad format of filter 'status' (expected name=value, e.g. status=exited)",
    );
  });

  it('rejects an unknown status, listing the valid ones', () => {
    expect(() => parsePsFilters(['status=stopped'])).toThrow(
      "invalid filter 'status=stopped': valid statuses are created, running, paused, restarting, removing, exited, dead",
    );
  });

  it('rejects a non-integer exit code', () => {
    expect(() => parsePsFilters(['exited=abc'])).toThrow(
      "invalid filter 'exited=abc': the exit code must be an integer, e.g. exited=137",
    );
    expect(() => parsePsFilters(['exited=1.5'])).toThrow(InvalidFilterError);
    expect(() => parsePsFilters(['exited='])).toThrow(InvalidFilterError);
  });

  it('records the offending key on the error', () => {
    try {
      parsePsFilters(['status=nope']);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidFilterError).filter).toBe('status');
    }
  });
});

describe('matchesFilter', () => {
  it('matches everything with no filters', () => {
    expect(names([])).toEqual(['web', 'db', 'job-1', 'fresh', 'frozen']);
  });

  it('status: exact, several values OR-ed', () => {
    expect(names(['status=exited'])).toEqual(['db', 'job-1']);
    expect(names(['status=running', 'status=paused'])).toEqual(['web', 'frozen']);
    expect(names(['status=dead'])).toEqual([]);
  });

  it('name: a regular expression, unanchored, against the name with and without /', () => {
    expect(names(['name=web'])).toEqual(['web']);
    expect(names(['name=e'])).toEqual(['web', 'fresh', 'frozen']);
    expect(names(['name=^f'])).toEqual(['fresh', 'frozen']);
    expect(names(['name=^/d'])).toEqual(['db']);
    expect(names(['name=-\\d$'])).toEqual(['job-1']);
    expect(names(['name=db', 'name=job'])).toEqual(['db', 'job-1']);
    expect(names(['name=(?i)^WEB$'])).toEqual(['web']);
  });

  it('name: an invalid expression matches only exactly', () => {
    const odd = rec('ee66', 'a(b', { status: 'running', startedAt: T });
    const f = parsePsFilters(['name=a(b']);
    expect(matchesFilter(odd, f, byImage)).toBe(true);
    expect(matchesFilter(web, f, byImage)).toBe(false);
  });

  it('id: a prefix', () => {
    expect(names(['id=aa'])).toEqual(['web', 'job-1']);
    expect(names(['id=aa11'])).toEqual(['web']);
    expect(names(['id=a11'])).toEqual([]);
    expect(names(['id=bb', 'id=cc'])).toEqual(['db', 'fresh']);
  });

  it('label: key exists, or key=value; every label filter must hold', () => {
    expect(names(['label=env'])).toEqual(['web', 'db', 'fresh']);
    expect(names(['label=env=prod'])).toEqual(['web']);
    expect(names(['label=env='])).toEqual(['fresh']);
    expect(names(['label=env', 'label=tier=front'])).toEqual(['web']);
    expect(names(['label=env=prod', 'label=env=dev'])).toEqual([]);
    expect(names(['label=missing'])).toEqual([]);
  });

  it('label: does not see inherited object properties', () => {
    expect(names(['label=constructor'])).toEqual([]);
  });

  it('exited: only containers that ran and stopped with that code', () => {
    expect(names(['exited=137'])).toEqual(['db']);
    expect(names(['exited=0'])).toEqual(['job-1']);
    expect(names(['exited=0', 'exited=137'])).toEqual(['db', 'job-1']);
    // fresh (created, never started) has exit code 0 but did not exit; web is running.
    expect(names(['exited=0'])).not.toContain('fresh');
  });

  it('ancestor: asks the caller, several values OR-ed', () => {
    expect(names(['ancestor=nginx'])).toEqual(['web', 'frozen']);
    expect(names(['ancestor=postgres', 'ancestor=busybox'])).toEqual(['db', 'job-1', 'fresh']);
    const seen: string[] = [];
    const f = parsePsFilters(['ancestor=x']);
    matchesFilter(web, f, (a, r) => (seen.push(`${a}:${r.name}`), false));
    expect(seen).toEqual(['x:web']);
  });

  it('different keys are AND-ed', () => {
    expect(names(['status=exited', 'name=^d'])).toEqual(['db']);
    expect(names(['status=running', 'status=paused', 'ancestor=nginx', 'id=dd'])).toEqual(['frozen']);
    expect(names(['status=exited', 'label=env=prod'])).toEqual([]);
  });

  it('a status filter sets all, so stopped containers are listed without -a', () => {
    expect(parsePsFilters(['status=exited']).all).toBe(true);
    expect(parsePsFilters(['name=x']).all).toBe(false);
  });
});

describe('network, publish, expose and volume filters', () => {
  const web = rec('aa', 'web', { status: 'running' });
  web.request = {
    ...web.request,
    network: 'bridge',
    networks: ['front', 'back'],
    ports: [{ hostIp: '', hostPort: 8080, hostPortEnd: 8080, containerPort: 80, protocol: 'tcp' }],
    exposedPorts: ['80/tcp', '53/udp'],
    volumes: [{ name: 'data', destination: '/var/lib/data', readOnly: false, anonymous: false }],
    binds: [{ source: '/srv/conf', destination: '/etc/app', readOnly: true }],
  };
  const plainBridge = rec('bb', 'plain', { status: 'running' });
  plainBridge.request = { ...plainBridge.request, network: 'bridge' };
  const isolated = rec('cc', 'isolated', { status: 'running' });
  const all = () => true;
  const names = (filters: string[]) => [web, plainBridge, isolated].filter((r) => matchesFilter(r, parsePsFilters(filters), all)).map((r) => r.name);

  it('network matches the networks a container joined, bridge by default, none for a private netns', () => {
    expect(names(['network=back'])).toEqual(['web']);
    expect(names(['network=bridge'])).toEqual(['plain']);
    expect(names(['network=none'])).toEqual(['isolated']);
    expect(names(['network=front', 'network=none'])).toEqual(['web', 'isolated']);
  });

  it('publish matches published container ports, ranges and protocols', () => {
    expect(names(['publish=80'])).toEqual(['web']);
    expect(names(['publish=70-90/tcp'])).toEqual(['web']);
    expect(names(['publish=80/udp'])).toEqual([]);
    expect(names(['publish=8080'])).toEqual([]);
  });

  it('expose matches exposed ports with tcp as the default protocol', () => {
    expect(names(['expose=53/udp'])).toEqual(['web']);
    expect(names(['expose=53'])).toEqual([]);
  });

  it('volume matches a volume name, a bind source or a mount destination', () => {
    expect(names(['volume=data'])).toEqual(['web']);
    expect(names(['volume=/etc/app'])).toEqual(['web']);
    expect(names(['volume=other'])).toEqual([]);
  });

  it('refuses a malformed port filter with an example', () => {
    expect(() => parsePsFilters(['publish=http'])).toThrow(/expected a container port or range.*publish=80/);
    expect(() => parsePsFilters(['expose=90-80'])).toThrow(InvalidFilterError);
  });
});
