import { describe, expect, it } from 'vitest';
import { DockerignoreError, parseDockerignore } from '../../src/core/build/dockerignore.js';

/** The paths of `paths` that `text` ignores. */
function ignored(text: string, paths: string[]): string[] {
  const m = parseDockerignore(text);
  return paths.filter((p) => m.ignores(p));
}

describe('parseDockerignore: reading the file', () => {
  it('skips comments and blank lines, cleans patterns and drops a leading /', () => {
    const m = parseDockerignore('# comment\n\n  \n/foo/\n./bar//baz\n  spaced  \r\n!  /keep\nx/../y\n#not/a/pattern\n \t# not a comment\n');
    expect(m.patterns).toEqual(['foo', 'bar/baz', 'spaced', '!keep', 'y', '# not a comment']);
  });

  it('refuses a lone ! and a malformed class', () => {
    expect(() => parseDockerignore('!\n')).toThrow(new DockerignoreError('illegal exclusion pattern: "!"'));
    expect(() => parseDockerignore('[abc\n')).toThrow(DockerignoreError);
    expect(() => parseDockerignore('a[]\n')).toThrow(/syntax error in pattern/);
  });

  it('never ignores the context root itself', () => {
    expect(parseDockerignore('*\n**\n.\n').ignores('.')).toBe(false);
    expect(parseDockerignore('*\n').ignores('')).toBe(false);
  });
});

describe('parseDockerignore: Docker documentation examples', () => {
  const paths = [
    'temp',
    'tempa',
    'tempb',
    'temp12',
    'somedir/temporary.txt',
    'somedir/temp',
    'somedir/temp/inner.txt',
    'somedir/subdir/temporary.txt',
    'somedir/subdir/deeper/temporary.txt',
    'other.txt',
  ];

  it('*/temp*, */*/temp* and temp? match at the depths they name', () => {
    expect(ignored('*/temp*', paths)).toEqual(['somedir/temporary.txt', 'somedir/temp', 'somedir/temp/inner.txt']);
    expect(ignored('*/*/temp*', paths)).toEqual(['somedir/subdir/temporary.txt']);
    expect(ignored('temp?', paths)).toEqual(['tempa', 'tempb']);
    expect(ignored('# comment\n*/temp*\n*/*/temp*\ntemp?\n', paths)).toEqual([
      'tempa',
      'tempb',
      'somedir/temporary.txt',
      'somedir/temp',
      'somedir/temp/inner.txt',
      'somedir/subdir/temporary.txt',
    ]);
  });

  it('**/*.go excludes .go files in every directory, the root included', () => {
    expect(ignored('**/*.go', ['main.go', 'cmd/app/main.go', 'a/b/c/d.go', 'main.go.txt', 'go', 'docs/go.md'])).toEqual([
      'main.go',
      'cmd/app/main.go',
      'a/b/c/d.go',
    ]);
  });

  it('!README.md re-includes after *.md; the last matching line wins', () => {
    const files = ['README.md', 'README-secret.md', 'CHANGELOG.md', 'docs/guide.md', 'main.go'];
    expect(ignored('*.md\n!README.md\n', files)).toEqual(['README-secret.md', 'CHANGELOG.md']);
    expect(ignored('*.md\n!README*.md\nREADME-secret.md\n', files)).toEqual(['README-secret.md', 'CHANGELOG.md']);
    expect(ignored('*.md\nREADME-secret.md\n!README*.md\n', files)).toEqual(['CHANGELOG.md']);
  });

  it('a directory pattern excludes everything below it unless re-included', () => {
    const m = parseDockerignore('docs\n!docs/README.md\n');
    expect(m.ignores('docs')).toBe(true);
    expect(m.ignores('docs/guide.md')).toBe(true);
    expect(m.ignores('docs/sub/deep.txt')).toBe(true);
    expect(m.ignores('docs/README.md')).toBe(false);
    expect(m.ignores('docsextra')).toBe(false);
    expect(m.ignores('src/docs')).toBe(false);
    expect(m.mayIncludeUnder('docs')).toBe(true);
    expect(m.mayIncludeUnder('src')).toBe(false);
  });

  it('everything but a few paths: * then ! exceptions', () => {
    const m = parseDockerignore('*\n!src\n!package.json\nsrc/**/*.test.ts\n');
    expect(['src/index.ts', 'src/a/b.ts', 'package.json'].filter((p) => m.ignores(p))).toEqual([]);
    expect(['node_modules/x/index.js', 'README.md', 'src/a/b.test.ts', 'src/c.test.ts'].every((p) => m.ignores(p))).toBe(true);
    expect(m.mayIncludeUnder('node_modules')).toBe(false);
  });
});

describe('parseDockerignore: pattern details', () => {
  it('** matches any number of directories, zero included', () => {
    expect(ignored('a/**/z', ['a/z', 'a/b/z', 'a/b/c/z', 'a/b/c/zz', 'b/a/z'])).toEqual(['a/z', 'a/b/z', 'a/b/c/z']);
    expect(ignored('**', ['x', 'a/b/c'])).toEqual(['x', 'a/b/c']);
    expect(ignored('build/**', ['build', 'build/x', 'build/a/b'])).toEqual(['build/x', 'build/a/b']);
    expect(ignored('**/node_modules', ['node_modules/x', 'packages/a/node_modules/y/z', 'node_modules_old'])).toEqual([
      'node_modules/x',
      'packages/a/node_modules/y/z',
    ]);
  });

  it('* and ? stay within one path segment', () => {
    expect(ignored('*.log', ['a.log', 'logs/a.log'])).toEqual(['a.log']);
    expect(ignored('src/*.js', ['src/a.js', 'src/lib/b.js'])).toEqual(['src/a.js']);
    expect(ignored('a?c', ['abc', 'a/c'])).toEqual(['abc']);
  });

  it('supports [...] classes, negated classes and escapes', () => {
    expect(ignored('file[0-9].txt', ['file1.txt', 'filex.txt', 'file10.txt'])).toEqual(['file1.txt']);
    expect(ignored('file[^0-9].txt', ['file1.txt', 'filex.txt'])).toEqual(['filex.txt']);
    expect(ignored('\\*literal', ['*literal', 'xliteral'])).toEqual(['*literal']);
    expect(ignored('weird(name).txt', ['weird(name).txt', 'weirdname.txt'])).toEqual(['weird(name).txt']);
  });

  it('a re-included directory brings back its contents, a later pattern removes part again', () => {
    const m = parseDockerignore('vendor\n!vendor/keep\nvendor/keep/*.tmp\n');
    expect(m.ignores('vendor/drop/a')).toBe(true);
    expect(m.ignores('vendor/keep')).toBe(false);
    expect(m.ignores('vendor/keep/a.go')).toBe(false);
    expect(m.ignores('vendor/keep/a.tmp')).toBe(true);
  });

  it('mayIncludeUnder looks through wildcard and ** exceptions', () => {
    const m = parseDockerignore('*\n!*/keep.txt\n!deep/**/x\n');
    expect(m.mayIncludeUnder('a')).toBe(true);
    expect(m.mayIncludeUnder('a/b')).toBe(false);
    expect(m.mayIncludeUnder('deep/a/b')).toBe(true);
    expect(parseDockerignore('*\n').mayIncludeUnder('a')).toBe(false);
  });
});
