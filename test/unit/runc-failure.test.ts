import { describe, expect, it } from 'vitest';
import { errorKind } from '../../src/core/errors.js';
import { RuntimeError, cleanRuncMessage, runcFailure, runcFailureKind } from '../../src/core/runtime/runc.js';
import { startFailureExitCode } from '../../src/core/runtime/start-failure.js';
import { TsdockError } from '../../src/core/errors.js';

// The shape of runc 1.1's failures (logrus lines on stderr, or conmon passing them on); the integration
// tests check the real ones (containers-lifecycle: missing commands).
const NOT_FOUND = 'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH"';
const NO_FILE = 'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"/no/such/file\\": stat /no/such/file: no such file or directory"';
const DENIED = 'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"/etc/passwd\\": permission denied"';

describe('runc failure classification', () => {
  it('a command that is missing is not-found, one that cannot be run is forbidden', () => {
    expect(runcFailureKind(cleanRuncMessage(NOT_FOUND))).toBe('not-found');
    expect(runcFailureKind(cleanRuncMessage(NO_FILE))).toBe('not-found');
    expect(runcFailureKind(cleanRuncMessage(DENIED))).toBe('forbidden');
  });

  it('a container runc does not know is not-found, one no longer running a conflict', () => {
    expect(runcFailureKind('container "abc" does not exist')).toBe('not-found');
    expect(runcFailureKind('container not running')).toBe('conflict');
    expect(runcFailureKind('process already finished')).toBe('conflict');
  });

  it('anything else is internal', () => {
    expect(runcFailureKind('cgroup: cannot set memory limit')).toBe('internal');
    expect(runcFailureKind('')).toBe('internal');
  });

  it('runcFailure keeps the message and carries the kind', () => {
    const e = runcFailure(cleanRuncMessage(NOT_FOUND));
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e.message).toBe('unable to start container process: exec: "nosuchcmd": executable file not found in $PATH');
    expect(errorKind(e)).toBe('not-found');
  });
});

describe('startFailureExitCode', () => {
  it('is 127 for a missing command, 126 for one that cannot be run, 125 for other runtime failures', () => {
    expect(startFailureExitCode(runcFailure(cleanRuncMessage(NOT_FOUND)))).toBe(127);
    expect(startFailureExitCode(runcFailure(cleanRuncMessage(NO_FILE)))).toBe(127);
    expect(startFailureExitCode(runcFailure(cleanRuncMessage(DENIED)))).toBe(126);
    expect(startFailureExitCode(runcFailure('cgroup: cannot set memory limit'))).toBe(125);
  });

  it('is 125 for failures that are not the runtime\'s, whatever their kind', () => {
    expect(startFailureExitCode(new TsdockError('not-found', 'unable to find user nosuchuser: no matching entries in passwd file'))).toBe(125);
    expect(startFailureExitCode(new Error('exec: "x": executable file not found in $PATH'))).toBe(125);
  });
});
