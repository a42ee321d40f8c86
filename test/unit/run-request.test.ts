import { describe, expect, it } from 'vitest';
import { runRequest, RunOptionError, splitCommandLine } from '../../src/core/runtime/run-request.js';

describe('runRequest', () => {
  it('turns options into the request the CLI and the TUI create containers from', () => {
    const req = runRequest('busybox', ['sleep', '5'], { env: ['A=1', 'FROM_HOST'], volume: ['/tmp/x:/data:ro', 'named:/v'], memory: '64m', network: 'none', label: ['k=v'] }, { FROM_HOST: 'yes' });
    expect(req.cmd).toEqual(['sleep', '5']);
    expect(req.env).toEqual(['A=1', 'FROM_HOST=yes']);
    expect(req.binds).toEqual([{ source: '/tmp/x', destination: '/data', readOnly: true }]);
    expect(req.volumes).toEqual([{ name: 'named', destination: '/v', readOnly: false, anonymous: false }]);
    expect(req.memory).toBe(64 * 1024 * 1024);
    expect(req.network).toBe('none');
    expect(req.labels).toEqual({ k: 'v' });
  });

  it('defaults to the bridge network, as the CLI does', () => {
    const req = runRequest('busybox', [], {});
    expect(req.network).toBe('bridge');
    expect(req.networks).toEqual(['bridge']);
    expect(req.cmd).toBeUndefined();
  });

  it('says what is wrong with a malformed option', () => {
    expect(() => runRequest('b', [], { volume: ['data'] })).toThrow(RunOptionError);
    expect(() => runRequest('b', [], { volume: ['data'] })).toThrow("invalid mount path: 'data' mount path must be absolute");
    expect(() => runRequest('b', [], { tmpfs: ['rel'] })).toThrow('must be absolute');
    expect(() => runRequest('b', [], { pidsLimit: 'x' })).toThrow('not an integer');
    expect(() => runRequest('b', [], { memory: 'lots' })).toThrow("invalid size: 'lots'");
    expect(() => runRequest('b', [], { network: 'none', publish: ['80:80'] })).toThrow('conflicting options');
    expect(() => runRequest('b', [], { network: 'container:web', hostname: 'h' })).toThrow('conflicting options: hostname and the network mode');
  });
});

describe('splitCommandLine', () => {
  it('splits like a shell without expanding anything', () => {
    expect(splitCommandLine('sleep 300')).toEqual(['sleep', '300']);
    expect(splitCommandLine(`sh -c 'echo $HOME; exit 3'`)).toEqual(['sh', '-c', 'echo $HOME; exit 3']);
    expect(splitCommandLine('echo "a \\"b\\"" c\\ d ""')).toEqual(['echo', 'a "b"', 'c d', '']);
    expect(splitCommandLine('   ')).toEqual([]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitCommandLine(`echo 'oops`)).toThrow('unterminated single quote');
  });
});
