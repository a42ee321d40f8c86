import { describe, expect, it } from 'vitest';
import { matchesVolumeFilter, naturalCompare, parseVolumeFilters, rfc3339, validateVolumeName, volumeInspect, volumeLabels, volumeUsers } from '../../src/core/runtime/volume-ops.js';
import type { VolumeRecord } from '../../src/core/runtime/volume-store.js';
import type { ContainerRecord } from '../../src/core/runtime/container-record.js';

const vol = (over: Partial<VolumeRecord>): VolumeRecord => ({ name: 'v', driver: 'local', created: '2024-05-06T07:08:09.123Z', labels: {}, anonymous: false, ...over });

describe('volumes', () => {
  it('natural order, as docker volume ls sorts', () => {
    expect(['v10', 'v2', 'a', 'v1', 'B'].sort(naturalCompare)).toEqual(['B', 'a', 'v1', 'v2', 'v10']);
  });
  it('anonymous volumes carry Docker\'s anonymous label', () => {
    expect(volumeLabels(vol({ anonymous: true, labels: { a: 'b' } }))).toEqual({ 'com.docker.volume.anonymous': '', a: 'b' });
    expect(volumeLabels(vol({}))).toEqual({});
  });
  it('filters: dangling, name, driver, label, label!=', () => {
    const v = vol({ name: 'data-1', labels: { env: 'prod', tier: '' } });
    const m = (specs: string[], users = 0) => matchesVolumeFilter(v, users, parseVolumeFilters(specs));
    expect(m(['dangling=true'])).toBe(true);
    expect(m(['dangling=true'], 1)).toBe(false);
    expect(m(['dangling=false'], 1)).toBe(true);
    expect(m(['name=data'])).toBe(true);
    expect(m(['name=other'])).toBe(false);
    expect(m(['driver=local', 'label=env=prod', 'label=tier'])).toBe(true);
    expect(m(['label=env=dev'])).toBe(false);
    expect(m(['label!=env=prod'])).toBe(false);
    expect(() => parseVolumeFilters(['bogus=1'])).toThrow("invalid filter 'bogus'");
    expect(() => parseVolumeFilters(['dangling=maybe'])).toThrow(/invalid filter/);
  });
  it('inspect is Docker\'s Volume object, CreatedAt in RFC 3339 seconds', () => {
    expect(rfc3339('2024-05-06T07:08:09.123Z', 0)).toBe('2024-05-06T07:08:09Z');
    expect(rfc3339('2024-05-06T07:08:09.123Z', 120)).toBe('2024-05-06T09:08:09+02:00');
    const j = volumeInspect(vol({ name: 'x1' }), '/var/lib/tsdock/volumes/x1/_data');
    expect(Object.keys(j)).toEqual(['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    expect(j).toMatchObject({ Driver: 'local', Labels: {}, Mountpoint: '/var/lib/tsdock/volumes/x1/_data', Name: 'x1', Options: {}, Scope: 'local' });
  });
  it('names: Docker\'s rule and message', () => {
    expect(() => validateVolumeName('ok.name_1-x')).not.toThrow();
    expect(() => validateVolumeName('a')).toThrow(/includes invalid characters for a local volume name/);
    expect(() => validateVolumeName('../x')).toThrow(/invalid characters/);
  });
  it('a volume is used by every container, running or not, that mounts it', () => {
    const c = (id: string, names: string[]) => ({ id, request: { volumes: names.map((name) => ({ name, destination: '/d', readOnly: false, anonymous: false })) } }) as unknown as ContainerRecord;
    expect(volumeUsers('v', [c('1', ['v']), c('2', ['w']), c('3', ['w', 'v'])])).toEqual(['1', '3']);
  });
});
