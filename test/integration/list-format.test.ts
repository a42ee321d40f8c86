// `--format` through the real CLI, as Docker's: `json` prints one object per row with Docker's field
// names (images, ps, history, volume ls, network ls) and the inspect array on one line, `table`
// is the default table, `table TEMPLATE` takes the command's headers, and a bad template fails
// the command before any output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestbed } from '../testbed/testbed.js';
import { makeContainerSandbox, type ContainerSandbox } from '../helpers/containers.js';

let c: ContainerSandbox;
let IMG: string;
let webId: string;
let doneId: string;
beforeAll(async () => {
  c = await makeContainerSandbox(getTestbed());
  IMG = c.image;
  webId = (await c.ok(['run', '-d', '--name', 'fmt-web', '-v', 'fmt-vol:/data', '--label', 'tier=web', IMG, 'sleep', '1000'])).trim();
  await c.ok(['run', '--name', 'fmt-done', IMG, 'true']);
  doneId = (await c.ok(['ps', '-aq', '--no-trunc', '-f', 'name=^fmt-done$'])).trim();
});
afterAll(async () => {
  await c?.removeAll();
  await c?.run(['volume', 'rm', 'fmt-vol']);
  await c?.cleanup();
});

const lines = (s: string) => s.split('\n').filter(Boolean);
const jsonLines = (s: string) => {
  expect(s.endsWith('\n')).toBe(true);
  return s.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, string>);
};

describe('--format json', () => {
  it('images: one object per line with Docker\'s image fields', async () => {
    const rows = jsonLines(await c.ok(['images', '--format', 'json']));
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!)).toEqual(['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
    const [repo, tag] = [IMG.slice(0, IMG.lastIndexOf(':')), IMG.slice(IMG.lastIndexOf(':') + 1)];
    expect(rows[0]).toMatchObject({ Repository: repo, Tag: tag });
    expect(rows[0]!.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(rows[0]!.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    expect(rows[0]!.Size).toMatch(/^[\d.]+[kMG]?B$/);
    expect(rows[0]!.VirtualSize).toMatch(/^[\d.]+[kMG]?B$/);
    const full = jsonLines(await c.ok(['images', '--format', 'json', '--no-trunc']));
    expect(full[0]!.ID).toMatch(new RegExp(`^sha256:${rows[0]!.ID}[0-9a-f]{52}$`));
  });

  it('ps -a: one object per container with Docker\'s container fields', async () => {
    const rows = jsonLines(await c.ok(['ps', '-a', '--format', 'json']));
    expect(rows.map((r) => r.Names).sort()).toEqual(['fmt-done', 'fmt-web']);
    const web = rows.find((r) => r.Names === 'fmt-web')!;
    expect(Object.keys(web)).toEqual(['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
    expect(web).toMatchObject({ ID: webId.slice(0, 12), Image: IMG, Command: '"sleep 1000"', Labels: 'tier=web', LocalVolumes: '1', Mounts: 'fmt-vol', Networks: 'bridge', State: 'running', Size: '0B' });
    expect(web.Status).toMatch(/^Up /);
    expect(web.RunningFor).toMatch(/ago$/);
    expect(web.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    const done = rows.find((r) => r.Names === 'fmt-done')!;
    expect(done).toMatchObject({ State: 'exited', LocalVolumes: '0', Mounts: '' });
    expect(done.Status).toMatch(/^Exited \(0\) /);
    const full = jsonLines(await c.ok(['ps', '-a', '--no-trunc', '--format', 'json', '-f', 'name=^fmt-done$']));
    expect(full[0]!.ID).toBe(doneId);
  });

  it('history: one object per layer with Docker\'s history fields', async () => {
    const table = lines(await c.ok(['history', IMG]));
    const rows = jsonLines(await c.ok(['history', '--format', 'json', IMG]));
    expect(rows).toHaveLength(table.length - 1);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size']);
      expect(r.ID).toMatch(/^([0-9a-f]{12}|<missing>)$/);
      expect(r.CreatedAt).toMatch(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)?$/);
    }
  });

  it('inspect: the inspect array on one line', async () => {
    const out = await c.ok(['inspect', '--format', 'json', 'fmt-web']);
    expect(lines(out)).toHaveLength(1);
    const [obj] = JSON.parse(out) as { Id: string; Name: string; State: { Status: string } }[];
    expect(obj).toMatchObject({ Id: webId, Name: '/fmt-web', State: { Status: 'running' } });
    const both = JSON.parse(await c.ok(['inspect', '--format', 'json', 'fmt-web', IMG])) as { Id: string }[];
    expect(both).toHaveLength(2);
    expect(both[0]!.Id).toBe(webId);
    expect(JSON.parse(await c.ok(['image', 'inspect', '--format', 'json', IMG]))).toHaveLength(1);
  });

  it('volume ls and network ls: Docker\'s fields', async () => {
    const vols = jsonLines(await c.ok(['volume', 'ls', '--format', 'json']));
    const vol = vols.find((v) => v.Name === 'fmt-vol')!;
    expect(Object.keys(vol)).toEqual(['Driver', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size']);
    expect(vol).toMatchObject({ Driver: 'local', Links: '1', Scope: 'local' });
    const nets = jsonLines(await c.ok(['network', 'ls', '--format', 'json']));
    const bridge = nets.find((n) => n.Name === 'bridge')!;
    expect(Object.keys(bridge)).toEqual(['CreatedAt', 'Driver', 'ID', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope']);
    expect(bridge.ID).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('--format table', () => {
  it('ps --format table is the default table: a header and rows, no blank lines', async () => {
    const plain = await c.ok(['ps', '-a']);
    const table = await c.ok(['ps', '-a', '--format', 'table']);
    expect(table.split('\n').slice(0, -1).every((l) => l.trim() !== '')).toBe(true);
    expect(lines(table)[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(lines(table)).toHaveLength(3);
    // The CREATED/STATUS texts (and so the column widths) may change between two calls:
    // compare the header's words, the IDs and the names.
    const stable = (s: string) => lines(s).map((l, i) => (i === 0 ? l.split(/\s+/).join(' ') : `${l.slice(0, 12)} ${l.split(' ').at(-1)}`));
    expect(stable(table)).toEqual(stable(plain));
  });

  it('ps --format "table {{.Names}}\\t{{.Status}}": Docker\'s headers, aligned columns', async () => {
    const out = lines(await c.ok(['ps', '--format', 'table {{.Names}}\\t{{.Status}}']));
    expect(out[0]).toBe('NAMES     STATUS');
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/^fmt-web   Up /);
    const ids = lines(await c.ok(['ps', '--format', 'table {{.ID}}\t{{.Image}}']));
    expect(ids[0]).toMatch(/^CONTAINER ID   IMAGE$/);
    expect(ids[1]).toBe(`${webId.slice(0, 12)}   ${IMG}`);
  });

  it('images and history: the command\'s own headers', async () => {
    expect(lines(await c.ok(['images', '--format', 'table {{.ID}}\\t{{.CreatedSince}}']))[0]).toMatch(/^IMAGE ID\s+CREATED$/);
    expect(lines(await c.ok(['history', '--format', 'table {{.ID}}\\t{{.CreatedBy}}', IMG]))[0]).toMatch(/^IMAGE\s+CREATED BY$/);
  });
});

describe('-q and bad templates', () => {
  it('-q wins over --format and prints short IDs', async () => {
    expect(await c.ok(['ps', '-q', '--format', 'json'])).toBe(`${webId.slice(0, 12)}\n`);
  });

  it('a template that does not parse fails before any output (exit 1, as Docker)', async () => {
    for (const args of [['ps', '--format', '{{nosuch .ID}}'], ['history', '--format', '{{.ID', IMG], ['inspect', '--format', '{{bogus .Id}}', 'fmt-web']]) {
      const r = await c.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Error: template parsing error: template: /);
    }
  });
});
