// `build`: Dockerfiles built with real runc containers for RUN, on the test bed's busybox image,
// checked by running the results and reading `image inspect`; cache, failures and cleanup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, mountsUnder, type ContainerSandbox } from '../helpers/containers.js';
import { TSDOCK_BIN } from '../helpers/tsdock.js';

let c: ContainerSandbox;
let work: string;

beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  work = await mkdtemp(join(tmpdir(), 'tsdock-build-'));
});

afterAll(async () => {
  await c.cleanup();
  await rm(work, { recursive: true, force: true });
});

/** A build context dir with the given files (relative path -> content). */
async function context(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

async function build(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  const r = await c.run(['build', '--network', 'none', ...args]);
  return { ...r, ms: performance.now() - t0 };
}

/** Nothing of a build may be left: containers, mounts, staging dirs, mounted --from roots. */
async function expectNoLeftovers(): Promise<void> {
  expect(await c.ok(['ps', '-aq'])).toBe('');
  expect(await mountsUnder(c.sb.root)).toEqual([]);
  expect(await mountsUnder(c.runRoot)).toEqual([]);
  expect((await readdir(join(c.sb.root, 'layers'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  expect(await readdir(join(c.runRoot, 'build')).catch(() => [])).toEqual([]);
}

interface Inspect {
  Id: string;
  Size: number;
  Parent: string;
  Config: { Env: string[]; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string; User: string; Labels: Record<string, string> | null; ExposedPorts?: Record<string, object>; Volumes: Record<string, object> | null; StopSignal?: string };
}

async function inspect(image: string): Promise<Inspect> {
  return (JSON.parse(await c.ok(['image', 'inspect', image])) as Inspect[])[0]!;
}

describe('build', () => {
  it('builds the hello-world image FROM scratch with a static binary', async () => {
    const ctx = await context('hello', {
      Dockerfile: 'FROM scratch\nCOPY hello /busybox\nCMD ["/busybox","echo","hello from tsdock"]\n',
    });
    // busybox-static runs as the applet its argv[0] names, hence /busybox in the image.
    await copyFile('/bin/busybox', join(ctx, 'hello'));
    await chmod(join(ctx, 'hello'), 0o755);
    const r = await build(['-t', 'hello:v1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Sending build context to Docker daemon {2}\d+(\.\d+)?MB$/);
    expect(lines).toContain('Step 1/3 : FROM scratch');
    expect(lines).toContain('Step 2/3 : COPY hello /busybox');
    expect(lines).toContain('Step 3/3 : CMD ["/busybox","echo","hello from tsdock"]');
    const id = (await inspect('hello:v1')).Id;
    expect(r.stdout).toMatch(new RegExp(`Successfully built ${id.slice(7, 19)}\\nSuccessfully tagged hello:v1\\n$`));
    expect(await c.ok(['run', '--rm', '--network', 'none', 'hello:v1'])).toBe('hello from tsdock\n');
    // -q prints only the image ID (here from the cache).
    const quiet = await build(['-q', '-t', 'hello:v1', ctx]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe(`${id}\n`);
    const binary = (await stat('/bin/busybox')).size;
    const size = (await inspect('hello:v1')).Size;
    expect(Math.abs(size - binary)).toBeLessThan(8 * 1024);
    // Intermediate images are hidden from `images`, shown with -a.
    const listed = (await c.ok(['images', '-q'])).split('\n').filter(Boolean);
    const all = (await c.ok(['images', '-a', '-q'])).split('\n').filter(Boolean);
    expect(listed).toContain(id.slice(7, 19));
    expect(all.length).toBeGreaterThan(listed.length);
    await expectNoLeftovers();
  });

  it('builds multi-stage, caches every step on a rebuild, and rebuilds from a changed COPY source on', async () => {
    const dockerfile = [
      `FROM ${c.image} AS builder`,
      'COPY input.txt /src/input.txt',
      'RUN cat /src/input.txt > /out.txt && echo built >> /out.txt',
      'FROM scratch',
      'COPY --from=builder /bin/busybox /busybox',
      'COPY --from=0 /out.txt /out.txt',
      'CMD ["/busybox","cat","/out.txt"]',
    ].join('\n');
    const ctx = await context('multi', { Dockerfile: dockerfile, 'input.txt': 'first input\n' });
    const first = await build(['-t', 'multi:v1', ctx]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Step 3\/7 : RUN cat .*\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    expect(first.stdout).not.toContain('Using cache');
    expect(await c.ok(['run', '--rm', '--network', 'none', 'multi:v1'])).toBe('first input\nbuilt\n');
    const id1 = (await inspect('multi:v1')).Id;

    const second = await build(['-t', 'multi:v1', ctx]);
    expect(second.code, second.stderr).toBe(0);
    // Every step but the FROMs is a cache hit; no container runs; same image.
    expect(second.stdout.match(/ ---> Using cache\n/g)).toHaveLength(5);
    expect(second.stdout).not.toContain('Running in');
    expect((await inspect('multi:v1')).Id).toBe(id1);
    expect(second.ms).toBeLessThan(first.ms);

    await writeFile(join(ctx, 'input.txt'), 'second input\n');
    const third = await build(['-t', 'multi:v1', ctx]);
    expect(third.code, third.stderr).toBe(0);
    const steps = third.stdout.split(/^Step /m).slice(1);
    const cachedSteps = steps.filter((s) => s.includes(' ---> Using cache')).map((s) => s.split(' :')[0]);
    // COPY input.txt (2) and RUN (3) rebuild; stage 2 copies the unchanged busybox from the
    // cache (5), then /out.txt changed: 6 and 7 rebuild.
    expect(cachedSteps).toEqual(['5/7']);
    expect(steps[2]).toContain('Running in');
    expect(await c.ok(['run', '--rm', '--network', 'none', 'multi:v1'])).toBe('second input\nbuilt\n');

    // --no-cache rebuilds everything.
    const fresh = await build(['--no-cache', '-t', 'multi:v2', ctx]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).not.toContain('Using cache');
    await expectNoLeftovers();
  });

  it('leaves out what .dockerignore excludes', async () => {
    const ctx = await context('ignore', {
      Dockerfile: `FROM ${c.image}\nCOPY . /ctx/\n`,
      '.dockerignore': 'secret.txt\n**/*.log\n',
      'kept.txt': 'kept\n',
      'secret.txt': 'secret\n',
      'sub/debug.log': 'noise\n',
      'sub/app.txt': 'app\n',
    });
    const r = await build(['-t', 'ignore:v1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    const listing = await c.ok(['run', '--rm', '--network', 'none', 'ignore:v1', 'find', '/ctx', '-type', 'f']);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/kept.txt', '/ctx/sub/app.txt']);

    await writeFile(join(ctx, 'Dockerfile'), `FROM ${c.image}\nCOPY secret.txt /\n`);
    const excluded = await build([ctx]);
    expect(excluded.code).toBe(1);
    expect(excluded.stderr).toMatch(/Dockerfile:2: .*file not found in build context or excluded by \.dockerignore: stat secret\.txt/);
    await expectNoLeftovers();
  });

  it('puts ENV, ARG/--build-arg, WORKDIR, USER, LABEL, EXPOSE, ENTRYPOINT, CMD, VOLUME, STOPSIGNAL and SHELL into the image', async () => {
    const ctx = await context('config', {
      'f.txt': 'owned\n',
      Dockerfile: [
        `FROM ${c.image}`,
        'ARG VERSION=1.0',
        'ARG FLAVOR',
        'ENV APP_VERSION=$VERSION APP_HOME=/srv/app',
        'WORKDIR $APP_HOME',
        'RUN echo "$VERSION-$FLAVOR" > version.txt',
        'SHELL ["/bin/sh", "-ec"]',
        'RUN echo "shell: $0 $-" > shell.txt',
        'COPY --chown=nobody f.txt f.txt',
        'USER nobody',
        'LABEL org.example.flavor=$FLAVOR org.example.name="demo app"',
        'EXPOSE 8080 9000/udp',
        'ENTRYPOINT ["cat"]',
        'CMD ["version.txt"]',
        'STOPSIGNAL SIGQUIT',
        'VOLUME /data',
      ].join('\n'),
    });
    const r = await build(['--build-arg', 'FLAVOR=blue', '--build-arg', 'UNUSED=x', '-t', 'config:v1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
    const cfg = (await inspect('config:v1')).Config;
    expect(cfg.Env).toEqual(expect.arrayContaining(['APP_VERSION=1.0', 'APP_HOME=/srv/app']));
    expect(cfg.Env.some((e) => e.startsWith('FLAVOR') || e.startsWith('VERSION='))).toBe(false);
    expect(cfg.WorkingDir).toBe('/srv/app');
    expect(cfg.User).toBe('nobody');
    expect(cfg.Labels).toEqual({ 'org.example.flavor': 'blue', 'org.example.name': 'demo app' });
    expect(cfg.ExposedPorts).toEqual({ '8080/tcp': {}, '9000/udp': {} });
    expect(cfg.Entrypoint).toEqual(['cat']);
    expect(cfg.Cmd).toEqual(['version.txt']);
    expect(cfg.StopSignal).toBe('SIGQUIT');
    expect(cfg.Volumes).toEqual({ '/data': {} });
    // The build arg reached RUN; the image's entrypoint + cmd print it.
    expect(await c.ok(['run', '--rm', '--network', 'none', 'config:v1'])).toBe('1.0-blue\n');
    expect(await c.ok(['run', '--rm', '--network', 'none', 'config:v1', 'shell.txt'])).toMatch(/^shell: \/bin\/sh [a-z]*e/);
    expect(await c.ok(['run', '--rm', '--network', 'none', '--entrypoint', 'stat', 'config:v1', '-c', '%u:%g %U', '/srv/app/f.txt', '/srv/app'])).toBe('65534:65534 nobody\n0:0 root\n');
    const history = await c.ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'config:v1']);
    expect(history).toContain('|2 FLAVOR=blue VERSION=1.0 /bin/sh -c echo "$VERSION-$FLAVOR" > version.txt');
    // Config steps are recorded with their variables expanded, as Docker's builder records them.
    expect(history).toContain('/bin/sh -c #(nop)  ENV APP_VERSION=1.0 APP_HOME=/srv/app');
    expect(history).toContain('/bin/sh -c #(nop)  LABEL org.example.flavor=blue org.example.name=demo app');
    expect(history).toContain('/bin/sh -c #(nop) WORKDIR /srv/app');
    await expectNoLeftovers();
  });

  it('fails a RUN with its exit code, tags nothing and leaves nothing behind; syntax errors name the line', async () => {
    const ctx = await context('fail', { Dockerfile: `FROM ${c.image}\nRUN echo before\nRUN false\nCMD ["x"]\n` });
    const r = await build(['-t', 'fail:v1', ctx]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Step 3/4 : RUN false');
    expect(r.stdout).not.toContain('Step 4/4');
    expect(r.stderr).toContain("The command '/bin/sh -c false' returned a non-zero code: 1");
    expect(r.stderr).toContain('Dockerfile line 3');
    expect(await c.ok(['images', '-q', 'fail'])).toBe('');
    await expectNoLeftovers();

    await writeFile(join(ctx, 'Dockerfile'), `FROM ${c.image}\nRUN true\nRUNN oops\n`);
    const syntax = await build(['-t', 'fail:v1', ctx]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/line 3: .*RUNN/i);
    expect(syntax.stdout).toBe('');

    await writeFile(join(ctx, 'Dockerfile'), `FROM ${c.image}\nADD http://127.0.0.1:9/x /x\n`);
    const url = await build([ctx]);
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/Dockerfile:2: ADD http:\/\/127\.0\.0\.1:9\/x: adding a URL is not supported/);
    await expectNoLeftovers();
  });

  it('--target builds only up to the named stage', async () => {
    const ctx = await context('target', {
      Dockerfile: [`FROM ${c.image} AS first`, 'RUN echo first > /first', 'FROM first AS second', 'RUN echo second > /second', 'FROM scratch', 'COPY --from=second /second /'].join('\n'),
    });
    const r = await build(['--target', 'second', '-t', 'target:v1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Step 4/4 : RUN echo second > /second');
    expect(r.stdout).not.toContain('FROM scratch');
    expect(await c.ok(['run', '--rm', '--network', 'none', 'target:v1', 'cat', '/first', '/second'])).toBe('first\nsecond\n');
    const missing = await build(['--target', 'nope', ctx]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failed to reach build target nope in Dockerfile');
  });

  it('ADD extracts a local tar archive', async () => {
    const ctx = await context('add', { 'src/a.txt': 'A\n', Dockerfile: `FROM ${c.image}\nADD files.tar.gz /opt/\n` });
    await new Promise<void>((resolve, reject) => spawn('tar', ['-czf', join(ctx, 'files.tar.gz'), '-C', join(ctx, 'src'), 'a.txt']).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${code}`)))));
    const r = await build(['-t', 'add:v1', ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(await c.ok(['run', '--rm', '--network', 'none', 'add:v1', 'cat', '/opt/a.txt'])).toBe('A\n');
  });

  it('an interrupted build removes its RUN container and exits', async () => {
    const ctx = await context('interrupt', { Dockerfile: `FROM ${c.image}\nRUN echo started && sleep 60\n` });
    const child = spawn(TSDOCK_BIN, ['build', '--network', 'none', ctx], { env: c.sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const t0 = Date.now();
    while (!out.includes('\nstarted\n') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(' ---> Running in ');
    child.kill('SIGINT');
    // A second build cancelled before its container even started (the race a kill must survive).
    const code = await closed;
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30_000);
    await expectNoLeftovers();

    const early = spawn(TSDOCK_BIN, ['build', '--no-cache', '--network', 'none', ctx], { env: c.sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let earlyOut = '';
    early.stdout.on('data', (d) => (earlyOut += d));
    const earlyClosed = new Promise<number | null>((resolve) => early.on('close', (code) => resolve(code)));
    const t1 = Date.now();
    while (!earlyOut.includes('Step 2/2') && Date.now() - t1 < 30_000) await new Promise((r) => setTimeout(r, 5));
    early.kill('SIGINT');
    expect(await earlyClosed).toBe(130);
    expect(Date.now() - t1).toBeLessThan(30_000);
    await expectNoLeftovers();
  });

  it('a build killed with SIGKILL leaves its RUN container, and the next build removes it', async () => {
    const ctx = await context('sigkill', { Dockerfile: `FROM ${c.image}\nRUN echo started && sleep 60\n` });
    const child = spawn(TSDOCK_BIN, ['build', '--network', 'none', ctx], { env: c.sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    const t0 = Date.now();
    while (!out.includes('\nstarted\n') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    const stepId = /---> Running in ([0-9a-f]{12})/.exec(out)?.[1];
    expect(stepId).toBeDefined();
    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    // Nobody removed it: the step container is still there, marked with its dead build's pid.
    expect(await c.ok(['ps', '-aq', '--filter', `label=tsdock.build.pid=${child.pid}`])).toBe(`${stepId}\n`);

    const next = await context('after-kill', { Dockerfile: `FROM ${c.image}\nRUN echo next\n` });
    const r = await build(['--no-cache', next]);
    expect(r.code, r.stderr).toBe(0);
    expect(await c.ok(['ps', '-aq', '--filter', `label=tsdock.build.pid=${child.pid}`])).toBe('');
    await expectNoLeftovers();
  });

  it('rmi and image prune keep intermediate images that a child still needs', async () => {
    const df = (extra: string) => `FROM ${c.image}\nRUN echo shared > /shared\n${extra}\n`;
    const a = await context('share-a', { Dockerfile: df('CMD ["cat","/shared"]') });
    const b = await context('share-b', { Dockerfile: df('CMD ["echo","b"]') });
    expect((await build(['-t', 'share:a', a])).code).toBe(0);
    const rb = await build(['-t', 'share:b', b]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain(' ---> Using cache'); // the RUN step is shared
    const shared = (await inspect('share:b')).Parent;
    expect((await inspect('share:a')).Parent).toBe(shared);

    // Deleting share:a keeps the shared RUN image (share:b's parent).
    const rmA = await c.ok(['rmi', 'share:a']);
    expect(rmA).not.toContain(shared);
    expect(await c.ok(['run', '--rm', '--network', 'none', 'share:b'])).toBe('b\n');
    const rmShared = await c.run(['rmi', shared]);
    expect(rmShared.code).toBe(1);
    expect(rmShared.stderr).toContain('image has dependent child images');
    await c.ok(['image', 'prune', '-f']);
    expect((await inspect('share:b')).Parent).toBe(shared);
    expect(await c.ok(['history', '-q', 'share:b'])).toContain(shared.slice(7, 19));

    // Deleting share:b takes the now unneeded intermediate image with it, not busybox.
    const rmB = await c.ok(['rmi', 'share:b']);
    expect(rmB).toContain(`Deleted: ${shared}`);
    expect((await c.run(['image', 'inspect', shared])).code).toBe(1);
    expect((await c.run(['image', 'inspect', c.image])).code).toBe(0);
  });
});
