// What a process sees inside a tsdock container, compared with Docker's defaults: namespaces
// (PID, UTS, network, mount), capabilities and seccomp, read-only kernel interfaces, /dev and
// the devices cgroup, the rootfs and its mounts (--read-only, --tmpfs, binds, volumes), the
// process settings (-e, --env-file, -w, -u, --entrypoint, image Cmd) and the /etc files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { exists, makeContainerSandbox, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let IMG: string;
/** A long-running container to exec into. */
let iso: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
  iso = (await c.ok(['run', '-d', '--name', 'iso', IMG, 'sleep', '300'])).trim();
});
afterAll(async () => {
  await c?.cleanup();
});

const lines = (s: string) => s.split('\n').filter(Boolean);
/** `run --rm IMG ...args`: the result, whatever the exit code. */
const runRm = (args: string[]) => c.run(['run', '--rm', ...args]);
const sh = (script: string, opts: string[] = []) => runRm([...opts, IMG, 'sh', '-c', script]);
const capEff = (out: string) => /^CapEff:\s*([0-9a-f]+)$/m.exec(out)?.[1];

/** Docker's default capability set (moby oci/caps/defaults.go) as a CapEff mask. */
const DOCKER_DEFAULT_CAPEFF = '00000000a80425fb';

describe('namespaces', () => {
  it('PID 1 is the command and no host process is visible', async () => {
    expect(await c.ok(['run', '--rm', IMG, 'cat', '/proc/1/cmdline'])).toBe('cat\0/proc/1/cmdline\0');
    expect(await c.ok(['run', '--rm', IMG, 'ps', '-o', 'pid,comm'])).toBe('PID   COMMAND\n    1 ps\n');
    // In the long-running container: its sleep is PID 1, the exec'd ps the only other process.
    const ps = lines(await c.ok(['exec', 'iso', 'ps', '-o', 'pid,args']));
    expect(ps[0]).toMatch(/^PID\s+COMMAND$/);
    expect(ps.slice(1).map((l) => l.trim().replace(/\s+/, ' '))).toEqual(['1 sleep 300', expect.stringMatching(/^\d+ ps -o pid,args$/)]);
    const hostPids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).length;
    expect(hostPids).toBeGreaterThan(10);
  });

  it('the hostname is the short ID, or --hostname; /etc/hostname and /etc/hosts agree', async () => {
    expect(await c.ok(['exec', 'iso', 'hostname'])).toBe(`${iso.slice(0, 12)}\n`);
    expect(await c.ok(['exec', 'iso', 'cat', '/etc/hostname'])).toBe(`${iso.slice(0, 12)}\n`);
    expect((await c.inspect('iso')).Config.Hostname).toBe(iso.slice(0, 12));
    // On the default bridge network /etc/hosts maps the name to the container's address, as Docker's.
    const foo = await sh('hostname; cat /etc/hostname; grep -cE "^10\\.99\\.[0-9.]+[[:space:]]foo$" /etc/hosts; echo $HOSTNAME', ['--hostname', 'foo']);
    expect(foo).toMatchObject({ code: 0, stdout: 'foo\nfoo\n1\nfoo\n' });
  });

  it('--network none has only lo, the default bridge adds eth0; --network host sees the host\'s interfaces and name', async () => {
    const names = (out: string) => lines(out).map((l) => l.split(':')[1]!.trim().replace(/@.*/, '')).sort();
    expect(names(await c.ok(['run', '--rm', '--network', 'none', IMG, 'ip', '-o', 'link']))).toEqual(['lo']);
    expect(names(await c.ok(['exec', 'iso', 'ip', '-o', 'link']))).toEqual(['eth0', 'lo']);
    const host = (await readdir('/sys/class/net')).sort();
    expect(host.length).toBeGreaterThan(1);
    expect(names(await c.ok(['run', '--rm', '--network', 'host', IMG, 'ip', '-o', 'link']))).toEqual(host);
    // Docker names a host-network container after the host, and gives it the host's /etc/hosts.
    expect(await c.ok(['run', '--rm', '--network', 'host', IMG, 'hostname'])).toBe(`${hostHostname()}\n`);
    expect(await c.ok(['run', '--rm', '--network', 'host', IMG, 'cat', '/etc/hosts'])).toBe(await readFile('/etc/hosts', 'utf8'));
    const bad = await runRm(['--network', 'bridge0', IMG, 'true']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('network bridge0 not found');
  });
});

describe('privileges', () => {
  it('CapEff is Docker\'s default set; --cap-drop ALL gives none; --cap-drop/--cap-add change single bits; --privileged gives all', async () => {
    expect(capEff(await c.ok(['exec', 'iso', 'cat', '/proc/self/status']))).toBe(DOCKER_DEFAULT_CAPEFF);
    expect(capEff(await c.ok(['run', '--rm', '--cap-drop', 'ALL', IMG, 'cat', '/proc/self/status']))).toBe('0000000000000000');
    // CHOWN is bit 0, NET_ADMIN bit 12.
    expect(capEff(await c.ok(['run', '--rm', '--cap-drop', 'CHOWN', '--cap-add', 'NET_ADMIN', IMG, 'cat', '/proc/self/status']))).toBe('00000000a80435fa');
    const privileged = capEff(await c.ok(['run', '--rm', '--privileged', IMG, 'cat', '/proc/self/status']))!;
    const hostBounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1];
    expect(privileged).toBe(hostBounding);
    expect(BigInt(`0x${privileged}`) & BigInt(`0x${DOCKER_DEFAULT_CAPEFF}`)).toBe(BigInt(`0x${DOCKER_DEFAULT_CAPEFF}`));
    expect(BigInt(`0x${privileged}`)).toBeGreaterThan(BigInt(`0x${DOCKER_DEFAULT_CAPEFF}`));
    // A non-root user gets no effective capabilities.
    expect(capEff(await c.ok(['run', '--rm', '-u', 'nobody', IMG, 'cat', '/proc/self/status']))).toBe('0000000000000000');
  });

  it('/proc/sys is read-only: drop_caches and sysctl -w fail', async () => {
    const drop = await sh('echo 3 > /proc/sys/vm/drop_caches');
    expect(drop.code).not.toBe(0);
    expect(drop.stderr).toContain('Read-only file system');
    const sysctl = await sh('sysctl -w kernel.hostname=evil');
    expect(sysctl.code).not.toBe(0);
    expect(sysctl.stderr).toContain('Read-only file system');
    expect(await c.ok(['run', '--rm', IMG, 'sysctl', '-n', 'net.ipv4.ip_unprivileged_port_start'])).toBe('0\n');
    // Masked paths (/dev/null bound over them) read as empty; the host's has content.
    expect((await readFile('/proc/timer_list', 'utf8')).length).toBeGreaterThan(0);
    expect(await c.ok(['run', '--rm', IMG, 'cat', '/proc/timer_list'])).toBe('');
  });

  it('mount is refused, unshare is blocked by seccomp (allowed with seccomp=unconfined)', async () => {
    const mount = await sh('mkdir -p /mnt && mount -t tmpfs none /mnt');
    expect(mount.code).not.toBe(0);
    expect(mount.stderr).toMatch(/permission denied|Operation not permitted/);
    const unshare = await sh('unshare -U true');
    expect(unshare.code).not.toBe(0);
    expect(unshare.stderr).toContain('Operation not permitted');
    expect((await sh('grep "^Seccomp:" /proc/self/status')).stdout).toBe('Seccomp:\t2\n');
    // The same user-namespace unshare needs no capability: only the seccomp filter stopped it.
    const unconfined = await sh('unshare -U true && grep "^Seccomp:" /proc/self/status', ['--security-opt', 'seccomp=unconfined']);
    expect(unconfined).toMatchObject({ code: 0, stdout: 'Seccomp:\t0\n' });
  });

  it('/dev holds only the standard devices, and the devices cgroup refuses host devices', async () => {
    const required = ['fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'];
    const allowed = new Set([...required, 'console', 'core']);
    const dev = lines(await c.ok(['exec', 'iso', 'ls', '/dev']));
    expect(dev.filter((d) => !allowed.has(d))).toEqual([]);
    expect(required.filter((d) => !dev.includes(d))).toEqual([]);
    expect(await c.ok(['exec', 'iso', 'find', '/dev', '-type', 'b'])).toBe('');
    // CAP_MKNOD lets root make a node for a host disk, but the devices cgroup denies opening it.
    const disk = (await readdir('/sys/class/block'))[0]!;
    const [major, minor] = (await readFile(`/sys/class/block/${disk}/dev`, 'utf8')).trim().split(':');
    const open = await sh(`mknod /disk b ${major} ${minor} && head -c 1 /disk`);
    expect(open.code).not.toBe(0);
    expect(open.stderr).toContain('Operation not permitted');
  });
});

describe('filesystems', () => {
  it('--read-only makes the rootfs read-only while --tmpfs /tmp stays writable', async () => {
    const r = await sh('touch /x; echo touch=$?; echo ok > /tmp/y && cat /tmp/y; grep " /tmp " /proc/mounts | cut -d" " -f3', ['--read-only', '--tmpfs', '/tmp']);
    expect(r.stdout).toBe('touch=1\nok\ntmpfs\n');
    expect(r.stderr).toContain("touch: /x: Read-only file system");
    expect((await sh('touch /x && echo rw')).stdout).toBe('rw\n');
  });

  it('a bind mount :ro is readable but not writable; :rw writes reach the host', async () => {
    const host = join(c.sb.dir, 'bind');
    await mkdir(host);
    await writeFile(join(host, 'in'), 'from host\n');
    const ro = await sh('cat /data/in; echo x > /data/out; echo rc=$?', ['-v', `${host}:/data:ro`]);
    expect(ro.stdout).toBe('from host\nrc=1\n');
    expect(ro.stderr).toContain('Read-only file system');
    expect(await exists(join(host, 'out'))).toBe(false);
    expect((await sh('echo from container > /data/out', ['-v', `${host}:/data:rw`])).code).toBe(0);
    expect(await readFile(join(host, 'out'), 'utf8')).toBe('from container\n');
    // A missing host directory is created, as Docker does.
    expect((await sh('echo y > /new/f', ['-v', `${host}/made:/new`])).code).toBe(0);
    expect(await readFile(join(host, 'made', 'f'), 'utf8')).toBe('y\n');
  });

  it('a named volume keeps its data across containers; anonymous ones go with rm -v and --rm', async () => {
    expect((await sh('echo kept > /data/v', ['-v', 'vol1:/data'])).code).toBe(0);
    expect(await c.ok(['run', '--rm', '-v', 'vol1:/data', IMG, 'cat', '/data/v'])).toBe('kept\n');
    expect(await readFile(join(c.sb.root, 'volumes', 'vol1', '_data', 'v'), 'utf8')).toBe('kept\n');

    const volumes = async () => (await readdir(join(c.sb.root, 'volumes'))).sort();
    const anon = (await c.ok(['run', '-d', '-v', '/scratch', IMG, 'sh', '-c', 'echo a > /scratch/a'])).trim();
    expect(await c.ok(['wait', anon])).toBe('0\n');
    const mount = (await c.inspect(anon)).Mounts.find((m) => m.Destination === '/scratch')!;
    expect(mount.Type).toBe('volume');
    expect(mount.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(await readFile(join(mount.Source, 'a'), 'utf8')).toBe('a\n');
    expect(await volumes()).toContain(mount.Name);
    await c.ok(['rm', '-v', anon]);
    expect(await volumes()).toEqual(['vol1']);
    // Without -v the anonymous volume stays, as in Docker.
    const kept = (await c.ok(['create', '-v', '/scratch', IMG, 'true'])).trim();
    await c.ok(['start', kept]);
    expect(await c.ok(['wait', kept])).toBe('0\n');
    const keptName = (await c.inspect(kept)).Mounts[0]!.Name!;
    await c.ok(['rm', kept]);
    expect(await volumes()).toEqual([keptName, 'vol1'].sort());
    // --rm removes the anonymous volumes with the container, not the named ones.
    expect((await sh('true', ['-v', '/tmpvol', '-v', 'vol1:/data'])).code).toBe(0);
    expect(await volumes()).toEqual([keptName, 'vol1'].sort());
  });

  it('/etc/hosts, /etc/hostname and /etc/resolv.conf are per-container bind mounts', async () => {
    const inside = lines(await c.ok(['exec', 'iso', 'cat', '/proc/mounts'])).filter((l) => / \/etc\/(hosts|hostname|resolv\.conf) /.test(l)).map((l) => l.split(' ')[1]);
    expect(inside.sort()).toEqual(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);
    const info = (await c.inspect('iso')) as unknown as { HostsPath: string; HostnamePath: string; ResolvConfPath: string };
    expect(info.HostsPath.startsWith(join(c.sb.root, 'containers', iso))).toBe(true);
    expect(await c.ok(['exec', 'iso', 'cat', '/etc/hosts'])).toBe(await readFile(info.HostsPath, 'utf8'));
    expect(await c.ok(['exec', 'iso', 'cat', '/etc/hostname'])).toBe(await readFile(info.HostnamePath, 'utf8'));
    const resolv = await c.ok(['exec', 'iso', 'cat', '/etc/resolv.conf']);
    expect(resolv).toBe(await readFile(info.ResolvConfPath, 'utf8'));
    // The host's nameservers, minus loopback ones that would point into the container itself.
    const hostNs = lines(await readFile('/etc/resolv.conf', 'utf8')).filter((l) => /^nameserver\s/.test(l) && !/\s(127\.|::1)/.test(l));
    expect(lines(resolv).filter((l) => /^nameserver\s/.test(l))).toEqual(hostNs);
    // A change in one container is not seen by another, nor in the image.
    await c.ok(['exec', 'iso', 'sh', '-c', 'echo "10.0.0.1 only-iso" >> /etc/hosts']);
    expect((await readFile(info.HostsPath, 'utf8')).endsWith('10.0.0.1 only-iso\n')).toBe(true);
    expect((await sh('grep -c only-iso /etc/hosts')).stdout).toBe('0\n');
  });
});

describe('process settings', () => {
  it('-e, --env-file, -w (created when missing) and -u nobody', async () => {
    const envFile = join(c.sb.dir, 'env.list');
    await writeFile(envFile, '# a comment\nFROM_FILE=yes\nBOTH=file\n\n');
    const r = await sh('echo "$X|$FROM_FILE|$BOTH|$(pwd)|$(id -u):$(id -g)|$HOME"', ['-e', 'X=1', '--env-file', envFile, '-e', 'BOTH=flag', '-w', '/made/here', '-u', 'nobody']);
    expect(r).toMatchObject({ code: 0, stdout: '1|yes|flag|/made/here|65534:65534|/nonexistent\n' });
    // Docker's environment: the image's PATH, HOSTNAME, HOME for root.
    const env = lines(await c.ok(['exec', 'iso', 'env'])).sort();
    expect(env).toEqual(['HOME=/root', `HOSTNAME=${iso.slice(0, 12)}`, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const badUser = await runRm(['-u', 'nosuchuser', IMG, 'true']);
    expect(badUser.code).not.toBe(0);
    expect(badUser.stderr).toContain('nosuchuser');
  });

  it('--entrypoint replaces the image\'s; the image Cmd runs when no command is given', async () => {
    expect(await c.ok(['run', '--rm', '--entrypoint', 'echo', IMG, 'a', 'b'])).toBe('a b\n');
    const ep = (await c.ok(['create', '--entrypoint', 'echo', IMG, 'x'])).trim();
    expect((await c.inspect(ep)) as unknown).toMatchObject({ Path: 'echo', Args: ['x'] });
    // busybox's Cmd is ["sh"]: with stdin closed the shell reads EOF and exits 0.
    const id = (await c.ok(['create', IMG])).trim();
    expect((await c.inspect(id)) as unknown).toMatchObject({ Path: 'sh', Args: [] });
    expect(await c.run(['start', '-a', id])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await c.inspect(id)).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    // With -i the shell reads its commands from our stdin.
    expect(await c.run(['run', '--rm', '-i', IMG], { input: 'echo from stdin; exit 6\n' })).toMatchObject({ code: 6, stdout: 'from stdin\n' });
  });
});
