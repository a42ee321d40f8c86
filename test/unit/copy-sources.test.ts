import { chmod, mkdir, mkdtemp, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CopySourceError,
  hashCopySources,
  listCopyTree,
  resolveCopySources,
  type CopySource,
} from '../../src/core/build/copy-sources.js';
import { parseDockerignore } from '../../src/core/build/dockerignore.js';
import { RootedFs } from '../../src/core/fs/rooted-fs.js';

let root: string;
/** The context opened as the builder opens it. */
let tree: RootedFs;

async function put(rel: string, content = rel): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), content);
}

const rels = (sources: CopySource[]) => sources.map((s) => s.rel);

async function notFoundMessage(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CopySourceError);
  return (err as Error).message;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tsdock-copy-'));
  await put('app.js', 'console.log(1)\n');
  await put('package.json', '{}\n');
  await put('package-lock.json', '{"lock":1}\n');
  await put('README.md', '# readme\n');
  await put('.env', 'SECRET=1\n');
  await put('src/index.ts');
  await put('src/lib/util.ts');
  await put('src/lib/util.test.ts');
  await put('docs/guide.md');
  await put('docs/README.md');
  await put('pkgs/a/package.json');
  await put('pkgs/b/package.json');
  await mkdir(join(root, 'empty'));
  tree = await RootedFs.open(root);
});

afterEach(async () => {
  await tree.close();
  await rm(root, { recursive: true, force: true });
});

describe('resolveCopySources', () => {
  it('resolves plain files and directories, with paths as given', async () => {
    const got = await resolveCopySources(tree, ['app.js', 'src/', './docs']);
    expect(got).toEqual([
      { path: '/app.js', rel: 'app.js', pattern: 'app.js', contextRel: 'app.js' },
      { path: '/src', rel: 'src', pattern: 'src/', contextRel: 'src' },
      { path: '/docs', rel: 'docs', pattern: './docs', contextRel: 'docs' },
    ]);
    expect(await resolveCopySources(tree, ['.'])).toEqual([{ path: '/', rel: '.', pattern: '.', contextRel: '.' }]);
  });

  it('keeps sources inside the context: ../ and / are cleaned as Docker cleans them', async () => {
    expect(rels(await resolveCopySources(tree, ['../app.js', '/package.json', 'src/../../README.md']))).toEqual([
      'app.js',
      'package.json',
      'README.md',
    ]);
    expect(rels(await resolveCopySources(tree, ['../..']))).toEqual(['.']);
  });

  it('expands wildcards per segment as filepath.Match does (dotfiles included, sorted)', async () => {
    expect(rels(await resolveCopySources(tree, ['package*.json']))).toEqual(['package-lock.json', 'package.json']);
    expect(rels(await resolveCopySources(tree, ['pkgs/*/package.json']))).toEqual(['pkgs/a/package.json', 'pkgs/b/package.json']);
    expect(rels(await resolveCopySources(tree, ['src/lib/util.[t]???.ts', '.e?v']))).toEqual(['src/lib/util.test.ts', '.env']);
    expect(rels(await resolveCopySources(tree, ['*.md', 'README.md']))).toEqual(['README.md']); // once
    expect(rels(await resolveCopySources(tree, ['*/lib']))).toEqual(['src/lib']);
  });

  it('fails with Docker message when a source matches nothing', async () => {
    expect(await notFoundMessage(resolveCopySources(tree, ['app.js', 'missing.txt']))).toBe(
      'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist',
    );
    expect(await notFoundMessage(resolveCopySources(tree, ['*.rs']))).toMatch(/stat \*\.rs: file does not exist$/);
    expect(await notFoundMessage(resolveCopySources(tree, ['nope/*'], undefined, 'ADD'))).toMatch(/^ADD failed: /);
    expect(await notFoundMessage(resolveCopySources(tree, ['src/[']))).toMatch(/syntax error in pattern/);
  });

  it('leaves out what .dockerignore excludes, and fails when that was all', async () => {
    const ignore = parseDockerignore('*.md\n!README.md\n.env\nsrc/**/*.test.ts\n');
    expect(rels(await resolveCopySources(tree, ['*.md', '.e*'], parseDockerignore('*.md\n!README.md\n')))).toEqual(['README.md', '.env']);
    expect(await notFoundMessage(resolveCopySources(tree, ['.env'], ignore))).toMatch(/excluded by \.dockerignore: stat \.env/);
    expect(rels(await resolveCopySources(tree, ['src/lib/*'], ignore))).toEqual(['src/lib/util.ts']);
  });

  it('counts an ignored directory only when an exception brings back something inside it', async () => {
    const keepReadme = parseDockerignore('docs\n!docs/README.md\n');
    expect(rels(await resolveCopySources(tree, ['docs'], keepReadme))).toEqual(['docs']);
    const [docs] = await resolveCopySources(tree, ['docs'], keepReadme);
    expect((await listCopyTree(tree, docs!, keepReadme)).map((e) => e.rel)).toEqual(['', 'README.md']);
    expect(await notFoundMessage(resolveCopySources(tree, ['docs'], parseDockerignore('docs\n!docs/missing.md\n')))).toMatch(/stat docs:/);
  });

  it('follows a symlinked source inside the context, never out of it', async () => {
    await symlink('src/lib', join(root, 'lib-link'));
    await symlink('/etc', join(root, 'etc-link'));
    await symlink('../../../../../etc/passwd', join(root, 'passwd-link'));
    const [link] = await resolveCopySources(tree, ['lib-link']);
    expect(link).toEqual({ path: '/src/lib', rel: 'lib-link', pattern: 'lib-link', contextRel: 'src/lib' });
    // Absolute and climbing targets are read inside the root, where there is no etc/.
    expect(await notFoundMessage(resolveCopySources(tree, ['etc-link']))).toMatch(/stat etc-link/);
    expect(await notFoundMessage(resolveCopySources(tree, ['passwd-link']))).toMatch(/stat passwd-link/);
    // The ignore file applies to where the link leads, too.
    expect(await notFoundMessage(resolveCopySources(tree, ['lib-link'], parseDockerignore('src\n')))).toMatch(/stat lib-link/);
  });
});

describe('listCopyTree', () => {
  it('lists a directory depth-first in name order, skipping ignored entries, symlinks as themselves', async () => {
    await symlink('index.ts', join(root, 'src/alias.ts'));
    await chmod(join(root, 'src/index.ts'), 0o755);
    const ignore = parseDockerignore('**/*.test.ts\n');
    const [src] = await resolveCopySources(tree, ['src'], ignore);
    const listed = await listCopyTree(tree, src!, ignore);
    expect(listed.map((e) => [e.rel, e.kind])).toEqual([
      ['', 'directory'],
      ['alias.ts', 'symlink'],
      ['index.ts', 'file'],
      ['lib', 'directory'],
      ['lib/util.ts', 'file'],
    ]);
    expect(listed[1]!.linkTarget).toBe('index.ts');
    expect(listed[2]).toMatchObject({ rel: 'index.ts', mode: 0o755, size: 'src/index.ts'.length });
  });

  it('lists a file source as itself', async () => {
    await chmod(join(root, 'app.js'), 0o4750);
    const [file] = await resolveCopySources(tree, ['app.js']);
    expect(await listCopyTree(tree, file!)).toMatchObject([{ rel: '', kind: 'file', mode: 0o4750, size: 15 }]);
  });
});

describe('hashCopySources', () => {
  const hashOf = async (sources: string[], ignoreText?: string) => {
    const ignore = ignoreText === undefined ? undefined : parseDockerignore(ignoreText);
    return hashCopySources(tree, await resolveCopySources(tree, sources, ignore), ignore);
  };

  it('is a sha256 digest, stable for an unchanged tree, blind to mtimes', async () => {
    const before = await hashOf(['.']);
    expect(before).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await hashOf(['.'])).toBe(before);
    await utimes(join(root, 'src/index.ts'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await utimes(join(root, 'src'), new Date(2002, 1, 1), new Date(2002, 1, 1));
    expect(await hashOf(['.'])).toBe(before);
  });

  it('changes with one byte of content, a mode bit, a name, an added empty directory or a symlink target', async () => {
    const changes: [string, () => Promise<void>, () => Promise<void>][] = [
      ['content', () => put('src/lib/util.ts', 'src/lib/util.tS'), () => put('src/lib/util.ts')],
      ['mode', () => chmod(join(root, 'src/index.ts'), 0o600), () => chmod(join(root, 'src/index.ts'), 0o644)],
      ['name', () => rename(join(root, 'src/index.ts'), join(root, 'src/main.ts')), () => rename(join(root, 'src/main.ts'), join(root, 'src/index.ts'))],
      ['empty dir', () => mkdir(join(root, 'src/new')), () => rm(join(root, 'src/new'), { recursive: true })],
    ];
    await chmod(join(root, 'src/index.ts'), 0o644);
    const reference = await hashOf(['src']);
    for (const [what, change, undo] of changes) {
      await change();
      expect(await hashOf(['src']), what).not.toBe(reference);
      await undo();
      expect(await hashOf(['src']), `${what} undone`).toBe(reference);
    }
    await symlink('a', join(root, 'src/link'));
    const withLink = await hashOf(['src']);
    await rm(join(root, 'src/link'));
    await symlink('b', join(root, 'src/link'));
    expect(await hashOf(['src'])).not.toBe(withLink);
  });

  it('hashes identical trees identically wherever they are, and a file source with its name', async () => {
    await put('copy/index.ts', 'src/index.ts');
    await put('copy/lib/util.ts', 'src/lib/util.ts');
    await put('copy/lib/util.test.ts', 'src/lib/util.test.ts');
    await chmod(join(root, 'copy/index.ts'), 0o644);
    await chmod(join(root, 'src/index.ts'), 0o644);
    expect(await hashOf(['copy'])).toBe(await hashOf(['src']));
    await put('other.js', 'console.log(1)\n');
    expect(await hashOf(['other.js'])).not.toBe(await hashOf(['app.js']));
    expect(await hashOf(['app.js', 'README.md'])).not.toBe(await hashOf(['README.md', 'app.js']));
  });

  it('ignores what .dockerignore excludes', async () => {
    const withoutTests = await hashOf(['src'], '**/*.test.ts\n');
    await put('src/lib/util.test.ts', 'changed');
    await put('src/lib/more.test.ts', 'new');
    expect(await hashOf(['src'], '**/*.test.ts\n')).toBe(withoutTests);
    expect(await hashOf(['src'])).not.toBe(withoutTests);
  });
});
