// Container lifecycle through the real CLI, runc and conmon, with Docker's outputs and exit
// codes: run (foreground, -d, --rm), ps and its filters, logs, stop/kill/restart, pause,
// rm, wait, prune, exec, name/ID resolution, and exits recorded while no tsdock runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { cgroupPath, exists, makeContainerSandbox, mountsUnder, processesMentioning, runcList, waitFor, ZERO_TIME_PREFIX, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let IMG: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
});
afterAll(async () => {
  await c?.cleanup();
});

const lines = (s: string) => s.split('\n').filter(Boolean);
const containerDirs = async () => (await readdir(join(c.sb.root, 'containers')).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{64}$/.test(d)).sort();
const statusOf = async (name: string) => (await c.ok(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])).trim();
const runcIds = () => runcList(join(c.runRoot, 'runc'));

describe('run', () => {
  it('run --rm prints the output, exits with the command\'s code and leaves no container', async () => {
    const before = await containerDirs();
    const r = await c.run(['run', '--rm', '--name', 'fg-rm', IMG, 'sh', '-c', 'echo hi; exit 3']);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const gone = await c.run(['inspect', 'fg-rm']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('No such object: fg-rm');
    expect(await containerDirs()).toEqual(before);
    expect(await mountsUnder(join(c.sb.root, 'containers'))).toEqual([]);
  });

  it('run -d prints the ID; ps shows it Up with its name; logs keeps stdout and stderr apart', async () => {
    const out = await c.ok(['run', '-d', '--name', 'web', IMG, 'sh', '-c', 'echo out; echo err >&2; while true; do sleep 1; done']);
    expect(out).toMatch(/^[0-9a-f]{64}\n$/);
    const id = out.trim();
    const table = lines(await c.ok(['ps']));
    expect(table[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    const row = table.find((l) => l.startsWith(id.slice(0, 12)));
    expect(row, table.join('\n')).toBeDefined();
    expect(row).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+${IMG.replace(/[.]/g, '\\.')}\\s+"sh -c echo out; ech…"\\s+.*\\sUp (Less than a second|\\d+ seconds?)\\s+web$`));
    // The shell writes its lines right after starting: poll until both are logged.
    const logs = await waitFor('both log lines', async () => {
      const r = await c.run(['logs', 'web']);
      return r.stdout !== '' && r.stderr !== '' && r;
    });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');
    const inspect = await c.inspect('web');
    expect(inspect.State.Status).toBe('running');
    expect(inspect.State.Running).toBe(true);
    expect(inspect.State.Pid).toBeGreaterThan(0);
    expect(await runcIds()).toContain(id);
  });

  it('logs -f streams new lines as they are written, keeps stderr apart, and ends when the container exits', async () => {
    // As Docker's, -f follows only a running container (a created or stopped one: the log so far).
    await c.ok(['create', '--name', 'talker', '--network', 'none', IMG, 'sh', '-c', 'sleep 0.5; for i in 1 2 3 4; do echo line$i; sleep 0.4; done; echo done >&2']);
    expect(await c.run(['logs', '-f', 'talker'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const t0 = Date.now();
    await c.ok(['start', 'talker']);
    const r = await c.run(['logs', '-f', 'talker']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('line1\nline2\nline3\nline4\n');
    expect(r.stderr).toBe('done\n');
    // It waited for the container (about 1.6 s of output), and stopped soon after the exit.
    expect(Date.now() - t0).toBeGreaterThan(1200);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const tail = await c.run(['logs', '-f', '--tail', '3', 'talker']); // the last 3 records of both streams
    expect(tail).toMatchObject({ code: 0, stdout: 'line3\nline4\n', stderr: 'done\n' });
    await c.ok(['rm', 'talker']);
  });

  it('stop -t 1 kills a PID 1 that ignores SIGTERM: Exited (137)', async () => {
    const id = (await c.inspect('web')).Id;
    const t0 = Date.now();
    expect(await c.ok(['stop', '-t', '1', 'web'])).toBe('web\n');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(8000);
    expect(await statusOf('web')).toMatch(/^Exited \(137\) (Less than a second|\d+ seconds?) ago$/);
    const st = (await c.inspect('web')).State;
    expect(st).toMatchObject({ Status: 'exited', Running: false, ExitCode: 137, Pid: 0 });
    expect(st.FinishedAt.startsWith(ZERO_TIME_PREFIX)).toBe(false);
    expect(await runcIds()).not.toContain(id);
    expect(await mountsUnder(join(c.sb.root, 'containers', id))).toEqual([]);
    expect(await exists(cgroupPath('memory', id))).toBe(false);
  });

  it('stop with --init: catatonit forwards SIGTERM, sleep dies of it: Exited (143) without waiting for the timeout', async () => {
    await c.ok(['run', '-d', '--init', '--name', 'init-sleep', IMG, 'sleep', '1000']);
    expect(await c.ok(['exec', 'init-sleep', 'cat', '/proc/1/cmdline'])).toBe('/dev/init\0--\0sleep\x001000\0');
    const t0 = Date.now();
    expect(await c.ok(['stop', '-t', '10', 'init-sleep'])).toBe('init-sleep\n');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await statusOf('init-sleep')).toMatch(/^Exited \(143\) /);
    expect((await c.inspect('init-sleep')).State.ExitCode).toBe(143);
  });

  it('a restarted container keeps its upper layer (start -a and start)', async () => {
    const first = await c.run(['run', '--name', 'pers', IMG, 'sh', '-c', 'echo run >> /f; cat /f']);
    expect(first).toMatchObject({ code: 0, stdout: 'run\n' });
    const id = (await c.inspect('pers')).Id;
    const again = await c.run(['start', '-a', 'pers']);
    expect(again).toMatchObject({ code: 0, stdout: 'run\nrun\n' });
    expect(await c.ok(['start', 'pers'])).toBe('pers\n');
    expect(await c.ok(['wait', 'pers'])).toBe('0\n');
    // The file is in the container's own upper dir on the host; the image is untouched.
    expect(await readFile(join(c.sb.root, 'containers', id, 'upper', 'f'), 'utf8')).toBe('run\nrun\nrun\n');
    expect((await c.run(['run', '--rm', IMG, 'cat', '/f'])).code).not.toBe(0);
    expect(await c.ok(['logs', 'pers'])).toBe('run\nrun\nrun\nrun\nrun\nrun\n');
  });

  it('restart stops and starts again: new PID and StartedAt, the same filesystem', async () => {
    await c.ok(['run', '-d', '--init', '--name', 'rs', IMG, 'sh', '-c', 'echo started >> /starts; exec sleep 1000']);
    await waitFor('first start written', async () => (await c.run(['exec', 'rs', 'cat', '/starts'])).stdout === 'started\n');
    const before = await c.inspect('rs');
    expect(await c.ok(['restart', '-t', '5', 'rs'])).toBe('rs\n');
    const after = await c.inspect('rs');
    expect(after.State.Status).toBe('running');
    expect(after.State.Pid).not.toBe(before.State.Pid);
    expect(Date.parse(after.State.StartedAt)).toBeGreaterThan(Date.parse(before.State.StartedAt));
    // Docker counts only restarts done by a restart policy, not `docker restart`.
    expect(after.RestartCount).toBe(0);
    await waitFor('second start written', async () => (await c.run(['exec', 'rs', 'cat', '/starts'])).stdout === 'started\nstarted\n');
  });
});

describe('pause, rm, wait and refused transitions', () => {
  it('pause freezes the cgroup; exec is refused; unpause thaws it', async () => {
    const id = (await c.ok(['run', '-d', '--name', 'pz', IMG, 'sleep', '1000'])).trim();
    expect(await c.ok(['pause', 'pz'])).toBe('pz\n');
    expect(await statusOf('pz')).toMatch(/^Up .* \(Paused\)$/);
    expect((await readFile(cgroupPath('freezer', id, 'freezer.state'), 'utf8')).trim()).toBe('FROZEN');
    expect((await c.inspect('pz')).State).toMatchObject({ Status: 'paused', Paused: true, Running: true });

    const exec = await c.run(['exec', 'pz', 'true']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toBe('Error: container pz is paused, unpause the container before exec\n');
    const twice = await c.run(['pause', 'pz']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('container pz is already paused');

    expect(await c.ok(['unpause', 'pz'])).toBe('pz\n');
    expect((await readFile(cgroupPath('freezer', id, 'freezer.state'), 'utf8')).trim()).toBe('THAWED');
    expect(await statusOf('pz')).toMatch(/^Up (Less than a second|\d+ seconds?)$/);
    expect(await c.ok(['exec', 'pz', 'echo', 'thawed'])).toBe('thawed\n');
  });

  it('unpause of a running container and kill/pause of an exited one are refused with clear messages', async () => {
    const unpause = await c.run(['unpause', 'pz']);
    expect(unpause.code).toBe(1);
    expect(unpause.stderr).toBe('Error: container pz is not paused\n');
    const kill = await c.run(['kill', 'web']);
    expect(kill.code).toBe(1);
    expect(kill.stderr).toBe('Error: Cannot kill container: web: container web is not running\n');
    const pause = await c.run(['pause', 'web']);
    expect(pause.code).toBe(1);
    expect(pause.stderr).toBe('Error: container web is not running\n');
    const execStopped = await c.run(['exec', 'web', 'true']);
    expect(execStopped.code).toBe(1);
    expect(execStopped.stderr).toContain('container web is not running');
    // One bad target does not stop the others, as in Docker.
    const mixed = await c.run(['kill', 'nosuch', 'web']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('No such container: nosuch');
  });

  it('rm of a running container is refused without -f and done with -f', async () => {
    const id = (await c.inspect('pz')).Id;
    const refused = await c.run(['rm', 'pz']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('Error: cannot remove container "pz": container is running: stop the container before removing or force remove\n');
    expect((await c.inspect('pz')).State.Status).toBe('running');
    expect(await c.ok(['rm', '-f', 'pz'])).toBe('pz\n');
    expect((await c.run(['inspect', 'pz'])).code).toBe(1);
    expect(await runcIds()).not.toContain(id);
    expect(await containerDirs()).not.toContain(id);
    expect(await exists(cgroupPath('freezer', id))).toBe(false);
  });

  it('wait prints the exit code once the container exits', async () => {
    const id = (await c.ok(['run', '-d', IMG, 'sh', '-c', 'sleep 0.5; exit 3'])).trim();
    const t0 = Date.now();
    expect(await c.ok(['wait', id.slice(0, 12)])).toBe('3\n');
    expect(Date.now() - t0).toBeGreaterThan(100);
    // ... and at once for one that has already exited; one line per container.
    expect(await c.ok(['wait', id, 'init-sleep'])).toBe('3\n143\n');
  });
});

describe('removing what ps lists', () => {
  it('rm $(ps -aq -f status=exited) removes exactly the exited containers', async () => {
    await c.removeAll();
    const running = (await c.ok(['run', '-d', IMG, 'sleep', '1000'])).trim();
    for (const code of [0, 1, 2]) expect((await c.run(['run', IMG, 'sh', '-c', `exit ${code}`])).code).toBe(code);
    const all = lines(await c.ok(['ps', '-aq', '--no-trunc']));
    expect(all).toHaveLength(4);
    expect(all[3]).toBe(running); // newest first
    const exited = all.filter((i) => i !== running);
    const listed = lines(await c.ok(['ps', '-aq', '-f', 'status=exited']));
    expect([...listed].sort()).toEqual(exited.map((i) => i.slice(0, 12)).sort());
    // What a shell does with $(...): the listed IDs become rm's arguments.
    expect(await c.ok(['rm', ...listed])).toBe(listed.map((l) => `${l}\n`).join(''));
    expect(lines(await c.ok(['ps', '-aq', '--no-trunc']))).toEqual([running]);
    expect(await containerDirs()).toEqual([running]);
  });

  it('container prune -f removes stopped and created containers only', async () => {
    await c.removeAll();
    const running = (await c.ok(['run', '-d', IMG, 'sleep', '1000'])).trim();
    const created = (await c.ok(['create', IMG, 'true'])).trim();
    await c.ok(['run', IMG, 'true']);
    const exited = (await c.ok(['ps', '-aq', '-n', '1', '--no-trunc'])).trim();
    const out = await c.ok(['container', 'prune', '-f']);
    const outLines = out.split('\n');
    expect(outLines[0]).toBe('Deleted Containers:');
    expect(outLines.slice(1, 3).sort()).toEqual([created, exited].sort());
    expect(out.endsWith('\nTotal reclaimed space: 0B\n')).toBe(true);
    expect(lines(await c.ok(['ps', '-aq', '--no-trunc']))).toEqual([running]);
    expect(await c.ok(['container', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');
  });
});

describe('ps filters and formats', () => {
  let a: string, b: string, cc: string;
  beforeAll(async () => {
    await c.removeAll();
    await c.ok(['run', '--name', 'flt-a', '--label', 'env=prod', '--label', 'tier=web', IMG, 'true']);
    expect((await c.run(['run', '--name', 'flt-b', '--label', 'env=dev', IMG, 'sh', '-c', 'exit 2'])).code).toBe(2);
    cc = (await c.ok(['run', '-d', '--name', 'flt-c', '--label', 'env=prod', IMG, 'sh', '-c', 'while true; do sleep 1; done'])).trim();
    a = (await c.inspect('flt-a')).Id;
    b = (await c.inspect('flt-b')).Id;
  });
  const names = async (...args: string[]) => lines(await c.ok(['ps', '-a', ...args, '--format', '{{.Names}}'])).sort();

  it('name=, id=, ancestor=, label=, exited=, status=', async () => {
    expect(await names('--filter', 'name=flt-')).toEqual(['flt-a', 'flt-b', 'flt-c']);
    expect(await names('--filter', 'name=^flt-a$')).toEqual(['flt-a']);
    expect(await names('--filter', 'name=/flt-b')).toEqual(['flt-b']);
    expect(await names('--filter', `id=${b.slice(0, 10)}`)).toEqual(['flt-b']);
    expect(await names('--filter', `id=${a}`, '--filter', `id=${cc.slice(0, 5)}`)).toEqual(['flt-a', 'flt-c']);
    expect(await names('--filter', `ancestor=${IMG}`)).toEqual(['flt-a', 'flt-b', 'flt-c']);
    expect(await names('--filter', `ancestor=${IMG.replace(/:latest$/, '')}`)).toEqual(['flt-a', 'flt-b', 'flt-c']);
    const imageId = JSON.parse(await c.ok(['image', 'inspect', IMG]))[0].Id as string;
    expect(await names('--filter', `ancestor=${imageId.slice(7, 19)}`)).toEqual(['flt-a', 'flt-b', 'flt-c']);
    expect(await names('--filter', 'ancestor=nosuch/image:1')).toEqual([]);
    expect(await names('--filter', 'label=env=prod')).toEqual(['flt-a', 'flt-c']);
    expect(await names('--filter', 'label=env')).toEqual(['flt-a', 'flt-b', 'flt-c']);
    expect(await names('--filter', 'label=env=prod', '--filter', 'label=tier')).toEqual(['flt-a']);
    expect(await names('--filter', 'exited=0')).toEqual(['flt-a']);
    expect(await names('--filter', 'exited=2')).toEqual(['flt-b']);
    expect(await names('--filter', 'status=running')).toEqual(['flt-c']);
    // A status filter lists stopped containers without -a.
    expect(lines(await c.ok(['ps', '--filter', 'status=exited', '--format', '{{.Names}}'])).sort()).toEqual(['flt-a', 'flt-b']);
    const bad = await c.run(['ps', '--filter', 'colour=red']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("invalid filter 'colour'");
  });

  it('-q, -n, --no-trunc and --format', async () => {
    expect(await c.ok(['ps', '-q'])).toBe(`${cc.slice(0, 12)}\n`);
    expect(await c.ok(['ps', '-aq', '--no-trunc'])).toBe(`${cc}\n${b}\n${a}\n`);
    expect(lines(await c.ok(['ps', '-n', '2', '--format', '{{.Names}}']))).toEqual(['flt-c', 'flt-b']);
    const table = lines(await c.ok(['ps', '-n', '1']));
    expect(table).toHaveLength(2);
    expect(table[1]).toMatch(/^\S{12}\s.*"sh -c while true; d…"\s.*flt-c$/);
    const full = lines(await c.ok(['ps', '--no-trunc']));
    expect(full[1]).toMatch(new RegExp(`^${cc}\\s+\\S+\\s+"sh -c while true; do sleep 1; done"\\s`));
    const fmt = lines(await c.ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']));
    expect(fmt).toHaveLength(3);
    expect(fmt[0]).toMatch(/^flt-c Up (Less than a second|\d+ seconds?)$/);
    expect(fmt[1]).toMatch(/^flt-b Exited \(2\) (Less than a second|\d+ seconds?) ago$/);
    expect(fmt[2]).toMatch(/^flt-a Exited \(0\) (Less than a second|\d+ seconds?) ago$/);
    expect(lines(await c.ok(['ps', '-a', '--format', '{{.Labels}}']))[2]!.split(',').sort()).toEqual(['env=prod', 'tier=web']);
  });
});

describe('names and ID resolution', () => {
  it('inspect resolves a full ID, a unique prefix, a name and /name', async () => {
    const id = (await c.inspect('flt-c')).Id;
    const all = lines(await c.ok(['ps', '-aq', '--no-trunc']));
    let n = 1;
    while (all.filter((x) => x.startsWith(id.slice(0, n))).length > 1) n++;
    for (const q of [id, id.slice(0, 12), id.slice(0, n), 'flt-c', '/flt-c']) {
      expect((await c.inspect(q)).Id, q).toBe(id);
    }
    expect(await c.ok(['inspect', '-f', '{{.Name}} {{.State.Status}}', id.slice(0, 12)])).toBe('/flt-c running\n');
  });

  it('an ambiguous prefix fails with "multiple IDs" and exit 1; nothing is removed', async () => {
    // 16 hex digits: among 17 IDs two share their first one.
    const firsts = lines(await c.ok(['ps', '-aq'])).map((l) => l[0]!);
    let shared = firsts.find((ch, j) => firsts.indexOf(ch) !== j);
    for (let i = 0; i < 17 && !shared; i++) {
      const ch = (await c.ok(['create', IMG, 'true']))[0]!;
      if (firsts.includes(ch)) shared = ch;
      firsts.push(ch);
    }
    expect(shared).toBeDefined();
    const before = lines(await c.ok(['ps', '-aq']));
    const r = await c.run(['inspect', shared!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`multiple IDs found with provided prefix: ${shared}`);
    const rm = await c.run(['rm', shared!]);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain(`multiple IDs found with provided prefix: ${shared}`);
    expect(lines(await c.ok(['ps', '-aq']))).toEqual(before);
    const none = await c.run(['inspect', '--type', 'container', 'nosuch-ctr']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No such container: nosuch-ctr');
  });

  it('generated names are adjective_surname and unique', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await c.ok(['create', IMG, 'true'])).trim());
    const generated: string[] = [];
    for (const id of ids) generated.push((await c.ok(['inspect', '--format', '{{.Name}}', id])).trim().replace(/^\//, ''));
    for (const n of generated) expect(n).toMatch(/^[a-z]+_[a-z]+\d?$/);
    const all = lines(await c.ok(['ps', '-a', '--format', '{{.Names}}']));
    expect(new Set(all).size).toBe(all.length);
  });

  it('a taken --name is a conflict (exit 125) naming the owner', async () => {
    const id = (await c.ok(['create', '--name', 'dup', IMG, 'true'])).trim();
    const msg = `Conflict. The container name "/dup" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`;
    for (const cmd of ['run', 'create']) {
      const r = await c.run([cmd, '--name', 'dup', IMG, 'true']);
      expect(r.code, cmd).toBe(125);
      expect(r.stderr, cmd).toContain(msg);
    }
    expect(lines(await c.ok(['ps', '-aq', '--no-trunc', '--filter', 'name=^dup$']))).toEqual([id]);
    const invalid = await c.run(['create', '--name', 'x', IMG, 'true']);
    expect(invalid.code).toBe(125);
    expect(invalid.stderr).toContain('Invalid container name (x)');
  });
});

describe('removal from another tsdock process', () => {
  it('rm -f of a foreground run: the run returns, the container stays removed (no record comes back)', async () => {
    const fg = c.sb.run(['run', '--name', 'fgrm', '--network', 'none', IMG, 'sleep', '30']);
    await waitFor('fgrm running', async () => ((await statusOf('fgrm')).startsWith('Up') ? true : undefined));
    const id = (await c.ok(['inspect', '-f', '{{.Id}}', 'fgrm'])).trim();
    const waiter = c.sb.run(['wait', 'fgrm']);
    await c.ok(['rm', '-f', 'fgrm']);
    const ran = await fg;
    expect(ran.code).toBe(137);
    const waited = await waiter;
    // Docker's wait prints the exit code when it saw the exit; here the container may be gone first.
    if (waited.code === 0) expect(waited.stdout.trim()).toBe('137');
    else expect(waited.stderr).toContain('No such container');
    expect((await c.run(['inspect', 'fgrm'])).code).toBe(1);
    expect(await containerDirs()).not.toContain(id);
    expect((await mountsUnder(c.sb.root)).filter((m) => m.includes(id))).toEqual([]);
  });
});

describe('missing commands and exec', () => {
  it('run of a missing command exits 127 (126 when not executable) naming it; the container stays Created', async () => {
    const r = await c.run(['run', '--name', 'nocmd', IMG, 'nosuchcmd']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/exec: "nosuchcmd": executable file not found in \$PATH/);
    expect(r.stdout).toBe('');
    const st = (await c.inspect('nocmd')).State;
    expect(st).toMatchObject({ Status: 'created', ExitCode: 127, Running: false });
    expect(st.Error).toContain('executable file not found');
    const path = await c.run(['run', '--rm', IMG, '/no/such/file']);
    expect(path.code).toBe(127);
    expect(path.stderr).toContain('/no/such/file');
    expect(path.stderr).toContain('no such file or directory');
    const notExec = await c.run(['run', '--rm', IMG, '/etc/passwd']);
    expect(notExec.code).toBe(126);
    expect(notExec.stderr).toContain('permission denied');
  });

  it('a container that ran before and then fails to start is exited (not created) with the error and 127', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsdock-prog-'));
    await writeFile(join(dir, 'prog'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    expect(await c.ok(['run', '--name', 'ranonce', '--network', 'none', '-v', `${dir}:/opt/p`, IMG, '/opt/p/prog'])).toBe('ran\n');
    await rm(join(dir, 'prog'));
    const again = await c.run(['start', '-a', 'ranonce']);
    expect(again.code).toBe(127);
    expect(again.stderr).toContain('/opt/p/prog');
    const st = (await c.inspect('ranonce')).State;
    expect(st).toMatchObject({ Status: 'exited', ExitCode: 127, Running: false });
    expect(st.StartedAt).not.toMatch(ZERO_TIME_PREFIX);
    expect(await statusOf('ranonce')).toMatch(/^Exited \(127\)/);
    const detached = await c.run(['start', 'ranonce']); // through conmon this time
    expect(detached.code).not.toBe(0);
    expect(detached.stderr).toContain('/opt/p/prog');
    expect((await c.inspect('ranonce')).State).toMatchObject({ Status: 'exited', ExitCode: 127, Running: false });
    await rm(dir, { recursive: true, force: true });
  });

  it('a program that logs like runc (logrus text) keeps its stderr and exit code', async () => {
    const line = 'time="2024-01-01T00:00:00Z" level=error msg="open /x: no such file or directory"';
    const r = await c.run(['run', '--name', 'logrus', IMG, 'sh', '-c', `echo '${line}' >&2; exit 4`]);
    expect(r).toMatchObject({ code: 4, stdout: '', stderr: `${line}\n` });
    expect((await c.inspect('logrus')).State).toMatchObject({ Status: 'exited', ExitCode: 4, Error: '' });
    const logs = await c.run(['logs', 'logrus']);
    expect(logs.stderr).toBe(`${line}\n`);
  });

  it('exec: a missing command exits 127; -e -w -u apply; exit codes and stderr pass through', async () => {
    await c.ok(['run', '-d', '--name', 'ex', IMG, 'sleep', '1000']);
    const missing = await c.run(['exec', 'ex', 'nosuchcmd']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    const notExec = await c.run(['exec', 'ex', '/etc/passwd']);
    expect(notExec.code).toBe(126);
    expect(notExec.stderr).toMatch(/^Error: .*"\/etc\/passwd": permission denied\n$/);
    expect(await c.ok(['exec', '-e', 'X=1', '-w', '/tmp', '-u', 'nobody', 'ex', 'sh', '-c', 'echo $X $(pwd) $(id -u)'])).toBe('1 /tmp 65534\n');
    const seven = await c.run(['exec', 'ex', 'sh', '-c', 'echo o; echo e >&2; exit 7']);
    expect(seven).toMatchObject({ code: 7, stdout: 'o\n', stderr: 'e\n' });
    // A program that logs like runc (logrus' text format) is not mistaken for a runc error.
    const logrus = await c.run(['exec', 'ex', 'sh', '-c', 'echo \'time="2024-01-01T00:00:00Z" level=error msg="disk on fire"\' >&2; exit 4']);
    expect(logrus).toMatchObject({ code: 4, stdout: '' });
    expect(logrus.stderr).toBe('time="2024-01-01T00:00:00Z" level=error msg="disk on fire"\n');
  });
});

describe('containers under conmon', () => {
  it('the exit of a detached container is recorded while no tsdock runs', async () => {
    const id = (await c.ok(['run', '-d', IMG, 'sh', '-c', 'sleep 1; exit 5'])).trim();
    // No tsdock call from here: only conmon's exit command can update the record.
    const rec = await waitFor('the exit to be recorded', async () => {
      const r = await c.record(id);
      return r?.state.status === 'exited' && r;
    }, 10_000, 100);
    expect(rec.state.exitCode).toBe(5);
    expect(rec.state.finishedAt.startsWith(ZERO_TIME_PREFIX)).toBe(false);
    await waitFor('the exit file to be cleaned up', async () => !(await exists(join(c.runRoot, 'exits', id))), 5000);
    await waitFor('conmon to end', async () => (await processesMentioning(id)).length === 0, 5000);
    expect(await runcIds()).not.toContain(id);
    expect(await statusOf((await c.inspect(id)).Name.slice(1))).toMatch(/^Exited \(5\) /);
    const st = (await c.inspect(id)).State;
    expect(st.ExitCode).toBe(5);
    expect(Date.parse(st.FinishedAt) - Date.parse(st.StartedAt)).toBeGreaterThanOrEqual(900);
  });

  it('--rm -d containers remove themselves after exiting', async () => {
    const id = (await c.ok(['run', '--rm', '-d', IMG, 'sh', '-c', 'sleep 0.3'])).trim();
    await waitFor('the container to remove itself', async () => !(await exists(join(c.sb.root, 'containers', id))), 10_000, 100);
    expect(lines(await c.ok(['ps', '-aq', '--no-trunc']))).not.toContain(id);
    expect(await runcIds()).not.toContain(id);
    expect(await mountsUnder(join(c.sb.root, 'containers', id))).toEqual([]);
  });
});
