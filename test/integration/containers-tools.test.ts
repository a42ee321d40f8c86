// top, stats, cp, diff, rename and volume commands against real containers (busybox fixture).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { makeSandbox, type Sandbox } from '../helpers/tsdock.js';

let sb: Sandbox;
let image: string;
let runRoot: string;
let work: string;

beforeAll(async () => {
  sb = await makeSandbox();
  runRoot = `/run/tsdock-test-tools-${process.pid}`;
  await mkdir(runRoot, { recursive: true });
  sb.env.TSDOCK_RUN_ROOT = runRoot;
  work = await mkdtemp(join(tmpdir(), 'tsdock-tools-'));
  image = `${getTestbed().registries.open.addr}/library/busybox:latest`;
  const r = await sb.run(['pull', '-q', image]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  const ids = (await sb.run(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  if (ids.length) await sb.run(['rm', '-f', ...ids]);
  await sb.run(['volume', 'prune', '-a', '-f']);
  expect(await overlayMountsUnder(sb.root)).toEqual([]);
  expect(runcList()).toEqual([]);
  await sb.remove();
  await rm(runRoot, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

async function overlayMountsUnder(root: string): Promise<string[]> {
  return (await readFile('/proc/mounts', 'utf8')).split('\n').filter((l) => l.includes(root));
}

function runcList(): string[] {
  return execFileSync('runc', ['--root', join(runRoot, 'runc'), 'list', '-q'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await sb.run(args, { input });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function runDetached(name: string, ...rest: string[]): Promise<string> {
  const id = (await ok(['run', '-d', '--name', name, ...rest])).trim();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  return id;
}

describe('top', () => {
  it("lists the container's processes in ps -ef columns, takes ps options, and needs a running container", async () => {
    const id = await runDetached('topc', image, 'sleep', '300');
    const lines = (await ok(['top', 'topc'])).trimEnd().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^root\s+\d+\s+\d+\s+.*sleep 300$/);
    // The PID column is the host PID of the container's process.
    const pid = Number(lines[1]!.split(/\s+/)[1]);
    expect((await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').slice(0, 2)).toEqual(['sleep', '300']);

    const custom = (await ok(['container', 'top', 'topc', '-o', 'pid,comm'])).trimEnd().split('\n');
    expect(custom[0]!.split(/\s+/)).toEqual(['PID', 'COMMAND']);
    expect(custom[1]!.split(/\s+/)).toEqual([String(pid), 'sleep']);

    await ok(['stop', '-t', '0', 'topc']);
    const r = await sb.run(['top', 'topc']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: container ${id} is not running\n`);
    await ok(['rm', 'topc']);
  });
});

describe('stats', () => {
  it('--no-stream: memory limit, PIDS, CPU of a busy container, Docker columns', async () => {
    const memId = await runDetached('statmem', '--memory', '32m', image, 'sleep', '300');
    const busyId = await runDetached('statbusy', image, 'sh', '-c', 'while :; do :; done');
    // Without names: every running container. Cells are at least 3 spaces apart.
    const table = (await ok(['stats', '--no-stream', '--no-trunc'])).trimEnd().split('\n').map((l) => l.split(/\s{3,}/));
    expect(table[0]).toEqual(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS']);
    const mem = table.find((r) => r[0] === memId)!;
    const busy = table.find((r) => r[0] === busyId)!;
    expect(mem[1]).toBe('statmem');
    expect(mem[3]).toMatch(/^[\d.]+(B|KiB|MiB) \/ 32MiB$/);
    expect(Number(mem[4]!.replace('%', ''))).toBeGreaterThan(0);
    expect(mem[5]).toBe('0B / 0B');
    expect(mem[6]).toMatch(/^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
    expect(Number(mem[7])).toBeGreaterThanOrEqual(1);
    expect(busy[1]).toBe('statbusy');
    // A shell spinning: a visible share of a CPU (the machine may be busy with other tests).
    expect(Number(busy[2]!.replace('%', ''))).toBeGreaterThan(5);
    expect(table).toHaveLength(3);

    const missing = await sb.run(['stats', '--no-stream', 'nosuchctr']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such container: nosuchctr');
    await ok(['rm', '-f', 'statbusy', 'statmem']);
  });

  it('named containers, --format', async () => {
    await runDetached('statfmt', '--memory', '16m', image, 'sleep', '300');
    expect(await ok(['stats', '--no-stream', '--format', '{{.Container}} {{.Name}} {{.PIDs}} {{.NetIO}}', 'statfmt'])).toBe('statfmt statfmt 1 0B / 0B\n');
    await ok(['rm', '-f', 'statfmt']);
  });
});

describe('cp', () => {
  it('round trip host -> running container -> host of a file and a directory', async () => {
    await runDetached('cpc', image, 'sleep', '300');
    const src = join(work, 'src');
    await mkdir(join(src, 'dir/sub'), { recursive: true });
    await writeFile(join(src, 'hello.txt'), 'hello from the host\n');
    await writeFile(join(src, 'dir/top.txt'), 'top\n');
    await writeFile(join(src, 'dir/sub/deep.txt'), 'deep\n');
    execFileSync('chown', ['-R', '1234:1234', join(src, 'dir')]);

    await ok(['cp', join(src, 'hello.txt'), 'cpc:/tmp/']);
    await ok(['cp', join(src, 'dir'), 'cpc:/tmp/copied']);
    await ok(['cp', '-a', join(src, 'dir'), 'cpc:/tmp/kept']);
    // Without -a the copy belongs to the container's root; with -a it keeps its owner.
    expect(await ok(['exec', 'cpc', 'sh', '-c', 'cat /tmp/hello.txt /tmp/copied/sub/deep.txt; stat -c %u:%g /tmp/copied/sub/deep.txt /tmp/kept/sub/deep.txt'])).toBe(
      'hello from the host\ndeep\n0:0\n1234:1234\n',
    );

    const back = join(work, 'back');
    await mkdir(back);
    await ok(['cp', 'cpc:/tmp/hello.txt', join(back, 'hello-again.txt')]);
    await ok(['cp', 'cpc:/tmp/copied', back]);
    await ok(['cp', 'cpc:/tmp/copied/.', join(back, 'contents')]);
    expect(await readFile(join(back, 'hello-again.txt'), 'utf8')).toBe('hello from the host\n');
    expect(await readFile(join(back, 'copied/sub/deep.txt'), 'utf8')).toBe('deep\n');
    expect(await readFile(join(back, 'copied/top.txt'), 'utf8')).toBe('top\n');
    expect((await readdir(join(back, 'contents'))).sort()).toEqual(['sub', 'top.txt']);
  });

  it('from and into a stopped container (its rootfs mounted for the copy only)', async () => {
    await ok(['exec', 'cpc', 'sh', '-c', 'echo made inside > /made-inside.txt']);
    await ok(['stop', '-t', '0', 'cpc']);
    const id = (await ok(['inspect', '--format', '{{.Id}}', 'cpc'])).trim();
    const mountsOfCpc = async () => (await overlayMountsUnder(sb.root)).filter((l) => l.includes(id));
    expect(await mountsOfCpc()).toEqual([]);
    const out = join(work, 'from-stopped.txt');
    await ok(['cp', 'cpc:/made-inside.txt', out]);
    expect(await readFile(out, 'utf8')).toBe('made inside\n');
    // A file of the image's own layer (a lower dir) is reachable too.
    await ok(['cp', 'cpc:/etc/passwd', join(work, 'passwd')]);
    expect(await readFile(join(work, 'passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    await writeFile(join(work, 'into-stopped.txt'), 'into stopped\n');
    await ok(['cp', join(work, 'into-stopped.txt'), 'cpc:/']);
    expect(await mountsOfCpc()).toEqual([]);
    await ok(['start', 'cpc']);
    expect(await ok(['exec', 'cpc', 'cat', '/into-stopped.txt'])).toBe('into stopped\n');
  });

  it('errors as Docker: a missing path, a missing parent, between containers, no container', async () => {
    const missing = await sb.run(['cp', 'cpc:/no/such/file', work]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: Could not find the file /no/such/file in container cpc\n');
    await writeFile(join(work, 'some.txt'), 'x');
    const parent = await sb.run(['cp', join(work, 'some.txt'), 'cpc:/no/such/dir/x']);
    expect(parent.code).toBe(1);
    expect(parent.stderr).toBe('Error: Could not find the file /no/such/dir in container cpc\n');
    expect((await sb.run(['cp', 'cpc:/a', 'cpc:/b'])).stderr).toBe('Error: copying between containers is not supported\n');
    expect((await sb.run(['cp', join(work, 'a'), join(work, 'b')])).stderr).toBe('Error: must specify at least one container source\n');
    // A symlink inside the container that points outside resolves inside it.
    await ok(['exec', 'cpc', 'ln', '-s', '/../../../../../../../etc/hostname', '/escape']);
    await ok(['cp', '-L', 'cpc:/escape', join(work, 'escaped')]);
    expect(await readFile(join(work, 'escaped'), 'utf8')).toBe(await ok(['exec', 'cpc', 'cat', '/etc/hostname']));
    await ok(['rm', '-f', 'cpc']);
  });
});

describe('diff', () => {
  it('shows A/C/D of the container layer, parents first; nothing for a new container', async () => {
    await ok(['run', '--name', 'diffc', image, 'sh', '-c', 'touch /new && rm /etc/group && echo > /etc/passwd']);
    expect(await ok(['diff', 'diffc'])).toBe('C /etc\nD /etc/group\nC /etc/passwd\nA /new\n');
    await ok(['create', '--name', 'fresh', image, 'true']);
    expect(await ok(['container', 'diff', 'fresh'])).toBe('');
    await ok(['start', '-a', 'fresh']);
    // runc's mount points (/proc, /dev, /sys, /etc/hosts, ...) are not changes.
    expect(await ok(['diff', 'fresh'])).toBe('');
    await ok(['rm', 'diffc', 'fresh']);
  });
});

describe('ps -s', () => {
  it("SIZE: the bytes of the files in the container's layer (as Docker's SizeRw), and the image's size", async () => {
    await ok(['run', '--name', 'sizec', image, 'sh', '-c', 'mkdir -p /a/b && head -c 1234 /dev/zero > /a/b/data']);
    const imageSize = (await ok(['images', '--format', '{{.Size}}', image])).trim();
    const size = (await ok(['ps', '-a', '-s', '--filter', 'name=sizec', '--format', '{{.Size}}'])).trim();
    // Directories are not counted (`du -sb` would add 4096 bytes for each).
    expect(size).toBe(`1.23kB (virtual ${imageSize})`);
    await ok(['rm', 'sizec']);
  });
});

describe('rename', () => {
  it('the new name resolves, the old does not; names stay unique', async () => {
    const id = (await ok(['create', '--name', 'oldname', image, 'true'])).trim();
    await ok(['create', '--name', 'taken', image, 'true']);
    expect(await ok(['rename', 'oldname', 'newname'])).toBe('');
    expect((await ok(['inspect', '--format', '{{.Id}}', 'newname'])).trim()).toBe(id);
    const old = await sb.run(['inspect', 'oldname']);
    expect(old.code).toBe(1);
    expect((await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n')).toContain('newname');

    const conflict = await sb.run(['container', 'rename', 'newname', 'taken']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^Error: failed to rename container: Error when allocating new name: Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"\./);
    expect((await sb.run(['rename', 'newname', 'bad name'])).stderr).toContain('Invalid container name (bad name)');
    expect((await sb.run(['rename', 'newname', 'newname'])).stderr).toContain('Renaming a container with the same name as its current name');
    await ok(['rm', 'newname', 'taken']);
  });
});

describe('volume', () => {
  it('create, ls, inspect, rm (refused while used), prune (anonymous only unless -a)', async () => {
    expect(await ok(['volume', 'create', '--label', 'team=dev', 'named1'])).toBe('named1\n');
    const anon = (await ok(['volume', 'create'])).trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);

    expect(await ok(['volume', 'ls'])).toBe(`DRIVER    VOLUME NAME\nlocal     ${anon}\nlocal     named1\n`);
    expect(await ok(['volume', 'ls', '-q', '-f', 'label=team=dev'])).toBe('named1\n');

    const [info] = JSON.parse(await ok(['volume', 'inspect', 'named1'])) as Record<string, unknown>[];
    expect(Object.keys(info!)).toEqual(['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    expect(info).toMatchObject({ Driver: 'local', Labels: { team: 'dev' }, Mountpoint: join(sb.root, 'volumes/named1/_data'), Name: 'named1', Options: {}, Scope: 'local' });
    expect(String(info!.CreatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect((await ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', anon])).trim()).toBe(join(sb.root, 'volumes', anon, '_data'));
    const missing = await sb.run(['volume', 'inspect', 'nosuchvol']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: No such volume: nosuchvol\n');

    // A container (even stopped) keeps its volume.
    const id = (await ok(['run', '--name', 'voluser', '-v', 'named1:/data', image, 'sh', '-c', 'echo kept > /data/f'])).trim();
    expect(id).toBe('');
    const userId = (await ok(['inspect', '--format', '{{.Id}}', 'voluser'])).trim();
    const refused = await sb.run(['volume', 'rm', 'named1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`Error: remove named1: volume is in use - [${userId}]\n`);
    expect((await sb.run(['volume', 'rm', '-f', 'named1'])).code).toBe(1);
    expect(await readFile(join(sb.root, 'volumes/named1/_data/f'), 'utf8')).toBe('kept\n');
    expect(await ok(['volume', 'ls', '-q', '-f', 'dangling=true'])).toBe(`${anon}\n`);

    // Default prune: the unused anonymous volume only.
    await writeFile(join(sb.root, 'volumes', anon, '_data/blob'), 'x'.repeat(2000));
    expect(await ok(['volume', 'prune', '-f'])).toBe(`Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 2kB\n`);
    // -a: every unused one; named1 is used.
    await ok(['volume', 'create', 'unused2']);
    expect(await ok(['volume', 'prune', '-a', '-f'])).toBe('Deleted Volumes:\nunused2\n\nTotal reclaimed space: 0B\n');
    expect(await ok(['volume', 'ls', '-q'])).toBe('named1\n');

    await ok(['rm', 'voluser']);
    expect(await ok(['volume', 'rm', 'named1'])).toBe('named1\n');
    expect(await stat(join(sb.root, 'volumes/named1')).catch(() => undefined)).toBeUndefined();
    const gone = await sb.run(['volume', 'rm', 'named1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error: get named1: no such volume\n');
    expect(await ok(['volume', 'rm', '-f', 'named1'])).toBe('named1\n');
  });
});
