// Bad input to `run` is refused before anything is created, with Docker's messages and exit
// 125: -v specs (a bind over '/', unknown modes, relative destinations), and a configured
// runtime that fails without a word. Read-only binds are read-only down to their sub-mounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, mountsUnder, type ContainerSandbox } from '../helpers/containers.js';

const execFileP = promisify(execFile);

let c: ContainerSandbox;
let IMG: string;
let hostDir: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
  hostDir = await mkdtemp(join(tmpdir(), 'tsdock-bad-input-'));
});
afterAll(async () => {
  for (const m of (await mountsUnder(hostDir)).reverse()) await execFileP('umount', [m]).catch(() => {});
  await rm(hostDir, { recursive: true, force: true });
  await c?.cleanup();
});

const containerDirs = async () => (await readdir(join(c.sb.root, 'containers')).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{64}$/.test(d));

describe('-v', () => {
  it('DIR:/ is refused before anything is created: nothing in DIR, no container', async () => {
    const dir = join(hostDir, 'over-root');
    await mkdir(dir);
    const r = await c.run(['run', '--rm', '-v', `${dir}:/`, IMG, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`invalid volume specification: '${dir}:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
    expect(await readdir(dir)).toEqual([]);
    expect(await containerDirs()).toEqual([]);
  });

  it('an unknown mode, a relative destination and a mode without a source are refused (125)', async () => {
    const cases: [string, string][] = [
      ['/x:/data:zz', 'invalid mode: zz'],
      ['/x:/data:ro,rw', 'invalid mode: ro,rw'],
      ['/x:data', `invalid volume specification: '/x:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute`],
      ['/data:ro', `invalid volume specification: '/data:ro'`],
    ];
    for (const [spec, message] of cases) {
      const r = await c.run(['create', '-v', spec, IMG, 'true']);
      expect(r.code, spec).toBe(125);
      expect(r.stderr, spec).toContain(message);
    }
    expect(await containerDirs()).toEqual([]);
  });

  it('Docker\'s other modes are accepted: ro,Z,rslave is read-only, rw,z writable, nocopy leaves a new volume empty', async () => {
    const dir = join(hostDir, 'modes');
    await mkdir(dir);
    const ro = await c.run(['run', '--rm', '--network', 'none', '-v', `${dir}:/data:ro,Z,rslave`, IMG, 'sh', '-c', 'touch /data/f 2>&1; echo rc=$?']);
    expect(ro.code, ro.stderr).toBe(0);
    expect(ro.stdout).toMatch(/Read-only file system\nrc=1\n$/);
    const rw = await c.run(['run', '--rm', '--network', 'none', '-v', `${dir}:/data:rw,z`, IMG, 'sh', '-c', 'echo x > /data/f']);
    expect(rw.code, rw.stderr).toBe(0);
    expect(await readdir(dir)).toEqual(['f']);
    const vol = `nocopy-${process.pid}`;
    const nc = await c.run(['run', '--rm', '--network', 'none', '-v', `${vol}:/etc:nocopy`, IMG, 'ls', '/etc']);
    expect(nc.code, nc.stderr).toBe(0);
    // Only the files tsdock itself mounts there; none of the image's /etc (passwd, group).
    expect(nc.stdout.split('\n').filter(Boolean).sort()).toEqual(['hostname', 'hosts', 'resolv.conf']);
    await c.ok(['volume', 'rm', vol]);
  });

  it(':ro is recursive: a mount below the bound directory is read-only too', async () => {
    const dir = join(hostDir, 'with-submount');
    const sub = join(dir, 'sub');
    await mkdir(sub, { recursive: true });
    await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tsdock-test-sub', sub]);
    try {
      const r = await c.run(['run', '--rm', '--network', 'none', '-v', `${dir}:/host:ro`, IMG, 'sh', '-c', 'touch /host/top 2>&1; touch /host/sub/inner 2>&1; grep " /host/sub " /proc/mounts']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("touch: /host/top: Read-only file system");
      expect(r.stdout).toContain("touch: /host/sub/inner: Read-only file system");
      expect(r.stdout).toMatch(/^tsdock-test-sub \/host\/sub tmpfs ro[,\s]/m);
      expect(await readdir(sub)).toEqual([]);
    } finally {
      await execFileP('umount', [sub]);
    }
  });
});

describe('a configured runtime that fails without output', () => {
  it('run and run -d name the runtime and its exit status, exit 125', async () => {
    const fake = join(hostDir, 'silent-runtime');
    await writeFile(fake, '#!/bin/sh\nexit 1\n');
    await chmod(fake, 0o755);
    await c.sb.setConfig({ runtime: fake });
    try {
      const fg = await c.run(['run', '--rm', '--network', 'none', IMG, 'echo', 'hi']);
      expect(fg.code).toBe(125);
      expect(fg.stdout).toBe('');
      // Foreground runs are conmon's too: the status comes from the runtime's --version, as for -d.
      expect(fg.stderr).toBe(`Error: the OCI runtime ${fake} failed with exit status 1 (for --version too) before the container started, without an error message: check that the "runtime" setting of tsdock's config file names a working runc\n`);
      expect(await containerDirs()).toEqual([]);
      const bg = await c.run(['run', '-d', '--name', 'silent', '--network', 'none', IMG, 'echo', 'hi']);
      expect(bg.code).toBe(125);
      expect(bg.stderr).toContain(`the OCI runtime ${fake} failed with exit status 1`);
      // As Docker's: a container whose start failed stays Created, with the error.
      const created = await c.inspect('silent');
      expect(created.State.Status).toBe('created');
      expect(created.State.Error).toContain(fake);
    } finally {
      await c.sb.setConfig({});
    }
    await c.ok(['rm', 'silent']);
  });
});
