import { describe, expect, it } from 'vitest';
import { applyConfigInstruction, exposedPortKeys, resolveWorkdir, setEnv, type ConfigInstruction } from '../../src/core/build/config-instructions.js';
import { parseCommitChanges, CommitChangeError } from '../../src/core/build/commit-changes.js';
import type { ContainerDefaults } from '../../src/core/images/image-config.js';

function apply(config: ContainerDefaults, changes: string[], state = { cmdSet: false }): ContainerDefaults {
  let c = config;
  for (const i of parseCommitChanges(changes)) c = applyConfigInstruction(c, i, Object.fromEntries((c.Env ?? []).map((e) => e.split('=') as [string, string])), state);
  return c;
}

describe('commit -c changes', () => {
  it('parses Dockerfile instructions and applies them to the config', () => {
    const base: ContainerDefaults = { Env: ['PATH=/bin', 'HOME=/root'], Cmd: ['sh'] };
    const c = apply(base, ['CMD ["cat","/x"]', 'ENV HOME=/home/app GREETING="hi $HOME"', 'EXPOSE 80 53/udp', 'LABEL a=b', 'USER app', 'WORKDIR /srv', 'WORKDIR sub', 'VOLUME /data', 'STOPSIGNAL SIGINT']);
    expect(c.Cmd).toEqual(['cat', '/x']);
    expect(c.Env).toEqual(['PATH=/bin', 'HOME=/home/app', 'GREETING=hi /root']);
    expect(c.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(c.Labels).toEqual({ a: 'b' });
    expect(c.User).toBe('app');
    expect(c.WorkingDir).toBe('/srv/sub');
    expect(c.Volumes).toEqual({ '/data': {} });
    expect(c.StopSignal).toBe('SIGINT');
    expect(base.Cmd).toEqual(['sh']); // not mutated
  });

  it('wraps shell forms in the shell; ENTRYPOINT clears an inherited CMD but keeps one set before it', () => {
    expect(apply({ Cmd: ['sh'] }, ['ENTRYPOINT top -b'])).toEqual({ Cmd: null, Entrypoint: ['/bin/sh', '-c', 'top -b'] });
    expect(apply({ Cmd: ['sh'] }, ['CMD ["-b"]', 'ENTRYPOINT ["top"]'])).toEqual({ Cmd: ['-b'], Entrypoint: ['top'] });
  });

  it('refuses instructions that are not config changes, and bad syntax, naming the change', () => {
    expect(() => parseCommitChanges(['RUN echo hi'])).toThrow(new CommitChangeError('RUN is not a valid change command'));
    expect(() => parseCommitChanges(['COPY a b'])).toThrow(/COPY is not a valid change command/);
    expect(() => parseCommitChanges(['CMD ["ok"]', 'FOO bar'])).toThrow(/change 2 \("FOO bar"\).*FOO/i);
    expect(parseCommitChanges([])).toEqual([]);
  });
});

describe('config helpers', () => {
  it('expands EXPOSE ranges and checks ports', () => {
    expect(exposedPortKeys('8000-8002')).toEqual(['8000/tcp', '8001/tcp', '8002/tcp']);
    expect(exposedPortKeys('53/UDP')).toEqual(['53/udp']);
    expect(() => exposedPortKeys('http')).toThrow(/invalid port "http"/);
    expect(() => exposedPortKeys('70000')).toThrow(/invalid port range/);
  });
  it('sets env in place or appends', () => {
    expect(setEnv(['A=1', 'B=2'], 'A', '3')).toEqual(['A=3', 'B=2']);
    expect(setEnv(['A=1'], 'C', 'x=y')).toEqual(['A=1', 'C=x=y']);
  });
  it('resolves WORKDIR against the previous one', () => {
    expect(resolveWorkdir(undefined, 'app')).toBe('/app');
    expect(resolveWorkdir('/srv', '../opt')).toBe('/opt');
    expect(resolveWorkdir('/srv', '/abs')).toBe('/abs');
  });
  it('applies SHELL to later shell forms', () => {
    const state = { cmdSet: false };
    const shell = { kind: 'SHELL', shell: ['/bin/bash', '-c'], line: 1, text: 'SHELL' } as ConfigInstruction;
    const withShell = applyConfigInstruction({}, shell, {}, state);
    const cmd = parseCommitChanges(['CMD echo $HOME'])[0]!;
    expect(applyConfigInstruction(withShell, cmd, {}, state).Cmd).toEqual(['/bin/bash', '-c', 'echo $HOME']);
  });
});
