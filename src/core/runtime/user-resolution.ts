import { TsdockError } from '../errors.js';
// `--user` / the image's USER resolved against the image's /etc/passwd and /etc/group, with
// runc's libcontainer/user GetExecUser rules (what Docker uses), so `user`, `uid`, `user:group`,
// `uid:gid` and `user:gid` behave identically. Pure: the caller reads the two files.

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: only in the implicit form (no `:group`), the groups listing the user. */
  additionalGids: number[];
  home: string;
}

export class UserNotFoundError extends TsdockError {
  override readonly name = 'UserNotFoundError';
  constructor(readonly user: string) {
    super('not-found', `unable to find user ${user}: no matching entries in passwd file`);
  }
}

export class GroupNotFoundError extends TsdockError {
  override readonly name = 'GroupNotFoundError';
  constructor(readonly group: string) {
    super('not-found', `unable to find group ${group}: no matching entries in group file`);
  }
}

export class IdRangeError extends TsdockError {
  override readonly name = 'IdRangeError';
  constructor(readonly value: string) {
    super('invalid-argument', `invalid id ${value}: uids and gids must be in range 0-${MAX_ID}`);
  }
}

// 32-bit systems' limit, which runc keeps everywhere.
const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function resolveUser(spec: string | undefined, passwd: string | undefined, group: string | undefined): ResolvedUser {
  const [userArg = '', groupArg = ''] = (spec ?? '').split(':');
  const uidArg = parseNumeric(userArg);
  const gidArg = parseNumeric(groupArg);
  const users = parsePasswd(passwd);

  // '' means the default user, root; a numeric argument is always a uid, never a name.
  const match =
    userArg === ''
      ? users.find((u) => u.uid === 0)
      : uidArg !== undefined
        ? users.find((u) => u.uid === uidArg)
        : users.find((u) => u.name === userArg);
  if (!match && userArg !== '' && uidArg === undefined) throw new UserNotFoundError(userArg);

  const uid = match?.uid ?? uidArg ?? 0;
  let gid = match?.gid ?? 0;
  const home = match?.home || (uid === 0 ? '/root' : '/');
  let additionalGids: number[] = [];

  if (groupArg !== '') {
    // An explicit group replaces the primary gid and, as in runc, brings no supplementary groups.
    const g = parseGroup(group).find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
    if (g) gid = g.gid;
    else if (gidArg !== undefined) gid = gidArg;
    else throw new GroupNotFoundError(groupArg);
  } else if (match) {
    additionalGids = parseGroup(group)
      .filter((g) => g.members.includes(match.name))
      .map((g) => g.gid);
  }
  return { uid, gid, additionalGids, home };
}

/** A decimal id, undefined for a name; out-of-range numbers are an error as in runc. */
function parseNumeric(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  if (n < 0 || n > MAX_ID) throw new IdRangeError(value);
  return n;
}

// Go's Atoi with errors ignored, as runc parses numeric fields of misbehaving files.
function atoi(field: string | undefined): number {
  return field !== undefined && /^[+-]?\d+$/.test(field) ? Number(field) : 0;
}

function lines(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  // name:password:uid:gid:gecos:home:shell
  return lines(text).map((f) => ({ name: f[0], uid: atoi(f[2]), gid: atoi(f[3]), home: f[5] ?? '' }));
}

function parseGroup(text: string | undefined): GroupEntry[] {
  // name:password:gid:member,member
  return lines(text).map((f) => ({ name: f[0], gid: atoi(f[2]), members: f[3] ? f[3].split(',') : [] }));
}
