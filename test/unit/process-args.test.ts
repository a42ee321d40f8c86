import { describe, expect, it } from 'vitest';
import { NoCommandError, resolveProcessArgs } from '../../src/core/runtime/process-args.js';

const both = { Entrypoint: ['/entry.sh', '-v'], Cmd: ['serve', '--port', '80'] };

describe('resolveProcessArgs', () => {
  it('runs the image entrypoint followed by its cmd', () => {
    expect(resolveProcessArgs(both, {})).toEqual({ path: '/entry.sh', args: ['-v', 'serve', '--port', '80'] });
  });

  it('runs the image cmd alone when there is no entrypoint', () => {
    expect(resolveProcessArgs({ Cmd: ['sh'] }, {})).toEqual({ path: 'sh', args: [] });
    expect(resolveProcessArgs({ Entrypoint: null, Cmd: ['sh', '-c', 'x'] }, {})).toEqual({ path: 'sh', args: ['-c', 'x'] });
  });

  it('runs the image entrypoint alone when there is no cmd', () => {
    expect(resolveProcessArgs({ Entrypoint: ['/bin/app'], Cmd: null }, {})).toEqual({ path: '/bin/app', args: [] });
  });

  it('replaces the image cmd with the request cmd, keeping the image entrypoint', () => {
    expect(resolveProcessArgs(both, { cmd: ['migrate'] })).toEqual({ path: '/entry.sh', args: ['-v', 'migrate'] });
    expect(resolveProcessArgs({ Cmd: ['sh'] }, { cmd: ['echo', 'hi'] })).toEqual({ path: 'echo', args: ['hi'] });
  });

  it('treats an empty request cmd as not given', () => {
    expect(resolveProcessArgs(both, { cmd: [] })).toEqual({ path: '/entry.sh', args: ['-v', 'serve', '--port', '80'] });
  });

  it('drops the image cmd when the request overrides the entrypoint', () => {
    expect(resolveProcessArgs(both, { entrypoint: ['/bin/sh'] })).toEqual({ path: '/bin/sh', args: [] });
  });

  it('combines an overridden entrypoint with the request cmd', () => {
    expect(resolveProcessArgs(both, { entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] })).toEqual({
      path: '/bin/sh',
      args: ['-c', 'echo hi'],
    });
  });

  it('clears the entrypoint with [] and then runs only the request cmd', () => {
    expect(resolveProcessArgs(both, { entrypoint: [], cmd: ['ls', '/'] })).toEqual({ path: 'ls', args: ['/'] });
  });

  it('accepts Docker API form [""] as a cleared entrypoint', () => {
    expect(resolveProcessArgs(both, { entrypoint: [''], cmd: ['ls'] })).toEqual({ path: 'ls', args: [] });
  });

  it('fails when the entrypoint is cleared and no cmd is given, even if the image has one', () => {
    expect(() => resolveProcessArgs(both, { entrypoint: [] })).toThrow(NoCommandError);
    expect(() => resolveProcessArgs({ Cmd: ['sh'] }, { entrypoint: [''] })).toThrow('no command specified');
  });

  it('fails when neither image nor request has a command', () => {
    expect(() => resolveProcessArgs({}, {})).toThrow(NoCommandError);
    expect(() => resolveProcessArgs(undefined, {})).toThrow('no command specified');
    expect(() => resolveProcessArgs({ Entrypoint: null, Cmd: null }, { cmd: [] })).toThrow(NoCommandError);
  });

  it('works without an image config', () => {
    expect(resolveProcessArgs(undefined, { cmd: ['true'] })).toEqual({ path: 'true', args: [] });
    expect(resolveProcessArgs(undefined, { entrypoint: ['env'], cmd: ['-i'] })).toEqual({ path: 'env', args: ['-i'] });
  });

  it('does not alias the image arrays', () => {
    const image = { Entrypoint: ['a', 'b'], Cmd: ['c'] };
    const r = resolveProcessArgs(image, {});
    r.args.push('x');
    expect(image).toEqual({ Entrypoint: ['a', 'b'], Cmd: ['c'] });
  });
});
