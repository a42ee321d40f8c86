// Authentication against real registries: htpasswd Basic and Bearer tokens from the test
// token server; `login` stores Docker-compatible credentials (0600) that pulls then use.
// Also remote tag listing (with Link pagination against a small fake registry) and catalog.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getTestbed, type RegistryInfo, type Testbed } from '../testbed/testbed.js';
import { makeSandbox, type Sandbox } from '../helpers/tsdock.js';

let tb: Testbed;
let sb: Sandbox;
beforeAll(async () => {
  tb = getTestbed();
  sb = await makeSandbox();
});
afterAll(() => sb.remove());

const cases: [string, () => RegistryInfo, string][] = [
  ['htpasswd Basic', () => tb.registries.basic, 'private/busybox:latest'],
  ['Bearer token', () => tb.registries.token, 'secure/busybox:latest'],
];

describe.each(cases)('%s registry', (_name, registry, repoTag) => {
  it('refuses an anonymous pull with a message that says to log in', async () => {
    const reg = registry();
    const r = await sb.run(['pull', `${reg.addr}/${repoTag}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unauthorized/);
    expect(r.stderr).toContain(`tsdock login ${reg.addr}`);
    const images = await sb.run(['images', '--format', '{{.Repository}}']);
    expect(images.stdout).not.toContain(reg.addr);
  });

  it('refuses a wrong password at login and stores nothing', async () => {
    const reg = registry();
    const r = await sb.run(['login', '-u', reg.credentials!.username, '--password-stdin', reg.addr], { input: 'wrong-password\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('incorrect username or password');
    const file = await readFile(join(sb.dockerConfigDir, 'config.json'), 'utf8').catch(() => '{}');
    expect(JSON.parse(file).auths?.[reg.addr]).toBeUndefined();
  });

  it('logs in, pulls with the stored credentials, logs out, and is refused again', async () => {
    const reg = registry();
    const { username, password } = reg.credentials!;
    const login = await sb.run(['login', '-u', username, '--password-stdin', reg.addr], { input: `${password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe('Login Succeeded\n');
    const file = join(sb.dockerConfigDir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(Buffer.from(stored.auths[reg.addr].auth, 'base64').toString()).toBe(`${username}:${password}`);

    const pull = await sb.run(['pull', `${reg.addr}/${repoTag}`]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout.trim().split('\n').at(-1)).toBe(`${reg.addr}/${repoTag}`);
    const tags = await sb.run(['tags', `${reg.addr}/${repoTag.split(':')[0]}`]);
    expect(tags.stdout).toBe('latest\n');

    const logout = await sb.run(['logout', reg.addr]);
    expect(logout.stdout).toBe(`Removing login credentials for ${reg.addr}\n`);
    const denied = await sb.run(['tags', `${reg.addr}/${repoTag.split(':')[0]}`]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`tsdock login ${reg.addr}`);
    expect((await sb.run(['logout', reg.addr])).stdout).toBe(`Not logged in to ${reg.addr}\n`);
  });
});

describe('credentials written by docker', () => {
  it('reads an existing ~/.docker/config.json entry and keeps its other keys', async () => {
    const box = await makeSandbox();
    try {
      const reg = tb.registries.token;
      const { username, password } = reg.credentials!;
      await mkdir(box.dockerConfigDir, { recursive: true });
      const auth = Buffer.from(`${username}:${password}`).toString('base64');
      await writeFile(join(box.dockerConfigDir, 'config.json'), JSON.stringify({ auths: { [`http://${reg.addr}`]: { auth } }, credHelpers: { 'x.example': 'none' } }));
      const pull = await box.run(['pull', '-q', `${reg.addr}/secure/busybox:latest`]);
      expect(pull.code, pull.stderr).toBe(0);
      await box.run(['login', '-u', username, '--password-stdin', reg.addr], { input: password });
      const after = JSON.parse(await readFile(join(box.dockerConfigDir, 'config.json'), 'utf8'));
      expect(after.credHelpers).toEqual({ 'x.example': 'none' });
      expect(Object.keys(after.auths)).toEqual([reg.addr]);
    } finally {
      await box.remove();
    }
  });
});

describe('remote tags and catalog', () => {
  it('lists the tags of a repository, sorted', async () => {
    const r = await sb.run(['tags', `${tb.registries.open.addr}/library/busybox`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1.36\nlatest\n');
  });

  it('follows Link pagination of tags/list', async () => {
    const all = Array.from({ length: 7 }, (_, i) => `v${i}`);
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(req.url!);
      const url = new URL(req.url!, 'http://x');
      if (url.pathname !== '/v2/paged/repo/tags/list') {
        res.writeHead(404).end();
        return;
      }
      const n = 3;
      const last = url.searchParams.get('last');
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (start + n < all.length) headers.link = `</v2/paged/repo/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: 'paged/repo', tags: page }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await sb.run(['tags', `127.0.0.1:${port}/paged/repo`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(all);
      expect(seen).toHaveLength(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('lists the repositories of a registry from its catalog', async () => {
    const r = await sb.run(['catalog', tb.registries.open.addr]);
    expect(r.code, r.stderr).toBe(0);
    const repos = r.stdout.trim().split('\n');
    for (const p of tb.pushed.filter((x) => x.registry === tb.registries.open.addr)) expect(repos).toContain(p.repo);
  });
});
