import { describe, expect, it } from 'vitest';
import { isValidMode, parseVolumeSpec } from '../../src/core/runtime/volume-spec.js';
import { runRequest, RunOptionError } from '../../src/core/runtime/run-request.js';

describe('-v modes (Docker\'s Linux rules)', () => {
  it('accepts each known mode and comma-separated combinations of different kinds', () => {
    for (const m of ['', 'ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'nocopy', 'cached', 'delegated', 'consistent', 'ro,Z', 'rw,rshared', 'ro,z,rslave', 'nocopy,ro']) {
      expect(isValidMode(m), m).toBe(true);
    }
  });

  it('refuses unknown words and two modes of one kind', () => {
    for (const m of ['zz', 'RO', 'ro,rw', 'z,Z', 'shared,slave', 'ro,', 'rbind']) expect(isValidMode(m), m).toBe(false);
  });
});

describe('parseVolumeSpec', () => {
  it('binds, named and anonymous volumes with their modes', () => {
    expect(parseVolumeSpec('/x:/data')).toEqual({ source: '/x', destination: '/data', kind: 'bind', readOnly: false, propagation: undefined, noCopy: false });
    expect(parseVolumeSpec('/x:/data:ro,rslave')).toMatchObject({ kind: 'bind', readOnly: true, propagation: 'rslave' });
    expect(parseVolumeSpec('./rel:/data:z')).toMatchObject({ source: './rel', kind: 'bind', readOnly: false });
    expect(parseVolumeSpec('cache:/var/cache:nocopy')).toMatchObject({ source: 'cache', kind: 'volume', noCopy: true });
    expect(parseVolumeSpec('/data')).toMatchObject({ source: undefined, destination: '/data', kind: 'volume' });
  });

  it('refuses what Docker refuses, with its messages', () => {
    expect(() => parseVolumeSpec('/x:/data:zz')).toThrow(/^invalid mode: zz$/);
    expect(() => parseVolumeSpec('/x:data')).toThrow(/^invalid volume specification: '\/x:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute$/);
    expect(() => parseVolumeSpec('vol:data')).toThrow(`invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`);
    expect(() => parseVolumeSpec('/x:/')).toThrow(/^invalid volume specification: '\/x:\/': invalid mount config for type "bind": invalid specification: destination can't be '\/'$/);
    expect(() => parseVolumeSpec('/x:/.')).toThrow("destination can't be '/'");
    expect(() => parseVolumeSpec('vol:/')).toThrow(`invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    expect(() => parseVolumeSpec('/data:ro')).toThrow(/^invalid volume specification: '\/data:ro'$/);
    expect(() => parseVolumeSpec('/x:/data:nocopy')).toThrow(/^invalid mode: nocopy$/);
    expect(() => parseVolumeSpec('/a:/b:ro:x')).toThrow(/^invalid volume specification: '\/a:\/b:ro:x'$/);
    expect(() => parseVolumeSpec(':/data')).toThrow(/^invalid volume specification/);
  });

  it('run requests carry the modes tsdock applies; bad specs are run option errors', () => {
    const req = runRequest('img', [], { volume: ['/x:/a:ro,rshared', 'v:/b:nocopy', '/c'] });
    expect(req.binds).toEqual([{ source: '/x', destination: '/a', readOnly: true, propagation: 'rshared' }]);
    expect(req.volumes[0]).toEqual({ name: 'v', destination: '/b', readOnly: false, anonymous: false, noCopy: true });
    expect(req.volumes[1]).toMatchObject({ destination: '/c', anonymous: true });
    expect(() => runRequest('img', [], { volume: ['/x:/'] })).toThrow(RunOptionError);
  });
});
