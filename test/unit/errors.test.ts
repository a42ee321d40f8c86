import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, TsdockError, errorKind, isErrorKind } from '../../src/core/errors.js';
import { NoSuchContainerError } from '../../src/core/runtime/container-id.js';
import { RunOptionError } from '../../src/core/runtime/run-request.js';
import { VolumeNotFoundError } from '../../src/core/runtime/volume-store.js';
import { ImageNotFoundError } from '../../src/core/images/image-resolver.js';
import { parsePublish } from '../../src/core/network/port-spec.js';
import { validateName } from '../../src/core/runtime/container-names.js';
import { IllegalTransitionError, transition } from '../../src/core/runtime/container-state-machine.js';
import { StoreLockTimeoutError } from '../../src/core/store/store-lock.js';
import { CniError, cniFailureKind } from '../../src/core/network/cni.js';

describe('errorKind', () => {
  it('is internal for plain errors and for values that are not errors', () => {
    expect(errorKind(new Error('boom'))).toBe('internal');
    expect(errorKind(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toBe('internal');
    expect(errorKind(undefined)).toBe('internal');
    expect(errorKind(null)).toBe('internal');
    expect(errorKind('not-found')).toBe('internal');
  });

  it('is the kind a TsdockError carries, for every kind', () => {
    for (const kind of ERROR_KINDS) {
      const e = new TsdockError(kind, `a ${kind} failure`);
      expect(errorKind(e)).toBe(kind);
      expect(isErrorKind(e, kind)).toBe(true);
      expect(e.message).toBe(`a ${kind} failure`);
      expect(e).toBeInstanceOf(Error);
    }
    expect(isErrorKind(new TsdockError('conflict', 'x'), 'not-found')).toBe(false);
  });

  it('keeps the cause and names the subclass', () => {
    const cause = new Error('inner');
    const e = new TsdockError('unavailable', 'outer', { cause });
    expect(e.cause).toBe(cause);
    expect(new NoSuchContainerError('web').name).toBe('NoSuchContainerError');
  });

  it('trusts a kind only when it is one of the known kinds', () => {
    expect(errorKind({ kind: 'not-found' })).toBe('not-found');
    expect(errorKind({ kind: 'gone-fishing' })).toBe('internal');
    expect(errorKind({ kind: 404 })).toBe('internal');
    expect(errorKind(Object.assign(new Error('x'), { kind: 'NOT-FOUND' }))).toBe('internal');
  });
});

describe('the core errors carry their kinds', () => {
  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    throw new Error('expected a throw');
  };

  it('a missing container, image or volume is not-found', () => {
    expect(errorKind(new NoSuchContainerError('web'))).toBe('not-found');
    expect(errorKind(new ImageNotFoundError('busybox'))).toBe('not-found');
    expect(errorKind(new VolumeNotFoundError('data'))).toBe('not-found');
  });

  it('a malformed container name, port or run option is invalid-argument', () => {
    expect(errorKind(thrown(() => validateName('a b')))).toBe('invalid-argument');
    expect(errorKind(thrown(() => parsePublish('99999:80')))).toBe('invalid-argument');
    expect(errorKind(new RunOptionError('bad flag'))).toBe('invalid-argument');
  });

  it('an action the container state refuses is a conflict; a held store lock is unavailable', () => {
    const e = thrown(() => transition('exited', 'pause', 'web'));
    expect(e).toBeInstanceOf(IllegalTransitionError);
    expect(errorKind(e)).toBe('conflict');
    expect(errorKind(new StoreLockTimeoutError('/x/lock', '123'))).toBe('unavailable');
  });
});

describe('CNI failure classification', () => {
  it('host-local refusing a taken address is a conflict, other plugin failures are internal', () => {
    expect(errorKind(new CniError('host-local', 'ADD', 999, 'requested IP address 10.1.2.3 is not available in range set 10.1.0.1-10.1.255.254', ''))).toBe('conflict');
    expect(cniFailureKind('failed to set bridge addr: could not add IP address to "tsdock0": permission denied')).toBe('internal');
  });
});
