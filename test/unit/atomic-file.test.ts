import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempName, writeFileAtomic, writeJsonAtomic } from '../../src/core/store/atomic-file.js';
import { pidOfTempName, processAlive } from '../../src/core/process/process-alive.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsdock-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file with the given content', async () => {
    const path = join(dir, 'tags.json');
    await writeFileAtomic(path, '{"a":1}');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
  });

  it('replaces the content of an existing file entirely (no leftover tail)', async () => {
    const path = join(dir, 'record.json');
    await writeFile(path, 'a much longer old content that must not survive');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('writes binary data byte for byte', async () => {
    const path = join(dir, 'blob');
    const data = Uint8Array.from([0, 255, 1, 254, 10, 13]);
    await writeFileAtomic(path, data);
    expect([...(await readFile(path))]).toEqual([0, 255, 1, 254, 10, 13]);
  });

  it('applies 0644 by default', async () => {
    const path = join(dir, 'default-mode');
    await writeFileAtomic(path, 'x');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('applies the requested mode regardless of the umask', async () => {
    const path = join(dir, 'secret');
    await writeFileAtomic(path, 'x', 0o600);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(join(dir, 'group'), 'x', 0o664);
    expect((await stat(join(dir, 'group'))).mode & 0o777).toBe(0o664);
  });

  it('gives a replaced file the new mode, not the old one', async () => {
    const path = join(dir, 'was-public');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new', 0o600);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves no temp file in the directory', async () => {
    const path = join(dir, 'one');
    await writeFileAtomic(path, '1');
    await writeFileAtomic(path, '2');
    await writeFileAtomic(join(dir, 'two'), '2');
    expect((await readdir(dir)).sort()).toEqual(['one', 'two']);
  });

  it('fails, creating nothing, when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writeJsonAtomic writes indented JSON ending in a newline', async () => {
    const path = join(dir, 'v.json');
    await writeJsonAtomic(path, { a: [1, 2] }, 0o600);
    expect(await readFile(path, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe('tempName / pidOfTempName', () => {
  it('puts the temp file next to the target with this process pid in its name', () => {
    const name = tempName(dir, 'tags.json');
    expect(dirname(name)).toBe(dir);
    expect(basename(name).startsWith(`.tmp-${process.pid}-`)).toBe(true);
    expect(basename(name).endsWith('-tags.json')).toBe(true);
    expect(pidOfTempName(basename(name))).toBe(process.pid);
  });

  it('gives a different name each time', () => {
    expect(tempName(dir, 'x')).not.toBe(tempName(dir, 'x'));
  });

  it.each<[string, number | undefined]>([
    ['.tmp-123-deadbeef-record.json', 123],
    ['.tmp-1-00000000-a', 1],
    ['.tmp-4194304-abcd0123-x-y-z', 4194304],
    ['.tmp-abc-deadbeef-x', undefined],
    ['.tmp--deadbeef-x', undefined],
    ['.tmp-123', undefined],
    ['tmp-123-deadbeef-x', undefined],
    ['x.tmp-123-deadbeef-x', undefined],
    ['record.json', undefined],
  ])('pidOfTempName(%j) is %s', (name, pid) => {
    expect(pidOfTempName(name)).toBe(pid);
  });
});

describe('processAlive', () => {
  it('is true for this process and false for nonsense pids', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
    expect(processAlive(1.5)).toBe(false);
  });
});
