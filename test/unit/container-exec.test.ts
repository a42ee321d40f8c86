import { describe, expect, it } from 'vitest';
import { execFailureKind, ExecStartError } from '../../src/core/services/container-exec.js';
import { errorKind } from '../../src/core/errors.js';

describe('exec start failures (Docker: 127 not found, 126 not executable)', () => {
  it('classifies runc 1.1 messages by kind', () => {
    expect(execFailureKind('unable to start container process: exec: "nope": executable file not found in $PATH')).toBe('not-found');
    expect(execFailureKind('unable to start container process: exec: "/no/such": stat /no/such: no such file or directory')).toBe('not-found');
    expect(execFailureKind('unable to start container process: exec: "/etc/passwd": permission denied')).toBe('forbidden');
    expect(execFailureKind('unable to start container process: error during container init')).toBe('internal');
  });

  it('carries its kind and the runtime\'s own exit code', () => {
    const err = new ExecStartError('forbidden', 'permission denied', 255);
    expect(errorKind(err)).toBe('forbidden');
    expect(err.runtimeExitCode).toBe(255);
    expect(err.message).toBe('permission denied');
  });
});
