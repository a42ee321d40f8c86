import { mkdtemp, readdir, rm, unlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMissingPath, unlessMissing } from '../../src/core/store/missing-path.js';

describe('unlessMissing', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsdock-missing-'));
    await writeFile(join(dir, 'file'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the fallback for a path that does not exist, or runs through a file', async () => {
    expect(await unlessMissing(readdir(join(dir, 'nothing')), [] as string[])).toEqual([]);
    expect(await unlessMissing(readFile(join(dir, 'file', 'below'), 'utf8'), '')).toBe('');
    expect(await unlessMissing(unlink(join(dir, 'gone')), undefined)).toBeUndefined();
  });

  it('gives the result when the path is there', async () => {
    expect(await unlessMissing(readdir(dir), [] as string[])).toEqual(['file']);
  });

  it('throws every other failure', async () => {
    // Reading a directory as a file is EISDIR: a real failure, not a missing path.
    await expect(unlessMissing(readFile(dir, 'utf8'), '')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(isMissingPath(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
    expect(isMissingPath(new Error('no code'))).toBe(false);
    expect(isMissingPath(undefined)).toBe(false);
  });
});
