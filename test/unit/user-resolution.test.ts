import { describe, expect, it } from 'vitest';
import { GroupNotFoundError, IdRangeError, UserNotFoundError, resolveUser } from '../../src/core/runtime/user-resolution.js';

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  '',
  'app:x:1000:1000:App User:/home/app:/bin/sh',
  '  www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin  ',
  'dup:x:1000:2000::/first:/bin/sh',
  'nohome:x:1500:1500',
].join('\n');

const group = [
  'root:x:0:root',
  '# a comment',
  'wheel:x:10:root,app',
  'daemon:x:1:',
  'app:x:1000:',
  'staff:x:50:app,www-data',
  'docker:x:999:app',
  'www-data:x:33:',
].join('\n');

describe('resolveUser', () => {
  it('defaults to root with root’s home and the groups listing root', () => {
    for (const spec of [undefined, '']) {
      expect(resolveUser(spec, passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
    }
  });

  it('gives root /root and no groups when the image has no passwd or group file', () => {
    expect(resolveUser(undefined, undefined, undefined)).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' });
  });

  it('resolves a name to its uid, primary gid, home and supplementary groups', () => {
    expect(resolveUser('app', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [10, 50, 999], home: '/home/app' });
    expect(resolveUser('www-data', passwd, group)).toEqual({ uid: 33, gid: 33, additionalGids: [50], home: '/var/www' });
  });

  it('resolves a numeric uid through passwd, first match winning', () => {
    expect(resolveUser('1000', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [10, 50, 999], home: '/home/app' });
    expect(resolveUser('0', passwd, group).home).toBe('/root');
  });

  it('accepts a numeric uid that is not in passwd: gid 0, home /', () => {
    expect(resolveUser('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, additionalGids: [], home: '/' });
    expect(resolveUser('4242', undefined, undefined)).toEqual({ uid: 4242, gid: 0, additionalGids: [], home: '/' });
  });

  it('refuses an unknown name with runc’s message', () => {
    expect(() => resolveUser('nobody', passwd, group)).toThrow(UserNotFoundError);
    expect(() => resolveUser('nobody', passwd, group)).toThrow('unable to find user nobody: no matching entries in passwd file');
    expect(() => resolveUser('app', undefined, group)).toThrow('unable to find user app');
  });

  it('name:group sets the primary gid from group and brings no supplementary groups', () => {
    expect(resolveUser('app:staff', passwd, group)).toEqual({ uid: 1000, gid: 50, additionalGids: [], home: '/home/app' });
  });

  it('uid:gid takes both numbers, known or not', () => {
    expect(resolveUser('1000:50', passwd, group)).toEqual({ uid: 1000, gid: 50, additionalGids: [], home: '/home/app' });
    expect(resolveUser('4242:4343', passwd, group)).toEqual({ uid: 4242, gid: 4343, additionalGids: [], home: '/' });
  });

  it('name:gid with a gid missing from the group file is fine', () => {
    expect(resolveUser('app:777', passwd, group)).toEqual({ uid: 1000, gid: 777, additionalGids: [], home: '/home/app' });
  });

  it('uid:groupname resolves the group name', () => {
    expect(resolveUser('4242:wheel', passwd, group)).toEqual({ uid: 4242, gid: 10, additionalGids: [], home: '/' });
  });

  it('refuses an unknown group name', () => {
    expect(() => resolveUser('app:nogroup', passwd, group)).toThrow(GroupNotFoundError);
    expect(() => resolveUser('app:nogroup', passwd, group)).toThrow('unable to find group nogroup: no matching entries in group file');
  });

  it('refuses ids outside 0..2^31-1', () => {
    expect(() => resolveUser('-1', passwd, group)).toThrow(IdRangeError);
    expect(() => resolveUser('2147483648', passwd, group)).toThrow(IdRangeError);
    expect(() => resolveUser('app:4294967295', passwd, group)).toThrow(IdRangeError);
    expect(resolveUser('2147483647', passwd, group).uid).toBe(2147483647);
  });

  it('tolerates short passwd lines (missing home: falls back)', () => {
    expect(resolveUser('nohome', passwd, group)).toEqual({ uid: 1500, gid: 1500, additionalGids: [], home: '/' });
  });
});
