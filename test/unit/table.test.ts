import { describe, expect, it } from 'vitest';
import { ellipsis, renderTable } from '../../src/cli/format/table.js';

// docker/cli lays tables out with text/tabwriter.NewWriter(out, 10, 1, 3, ' ', 0): a column is
// as wide as max(10, widest cell + 3); the last cell of a line is not padded.

describe('renderTable', () => {
  it('lays out `docker images` the way Docker does', () => {
    const out = renderTable([
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
      ['alpine', 'latest', '961769676411', '6 weeks ago', '5.58MB'],
      ['hello-world', 'latest', 'fce289e99eb9', '9 months ago', '1.84kB'],
    ]);
    expect(out).toBe(
      'REPOSITORY    TAG       IMAGE ID       CREATED        SIZE\n' +
        'alpine        latest    961769676411   6 weeks ago    5.58MB\n' +
        'hello-world   latest    fce289e99eb9   9 months ago   1.84kB\n',
    );
  });

  it('gives every column but the last at least 10 characters', () => {
    expect(renderTable([['A', 'B', 'C'], ['x', 'y', 'z']])).toBe('A         B         C\nx         y         z\n');
  });

  it('pads a column whose widest cell is exactly 7 characters to exactly 10', () => {
    const out = renderTable([['1234567', 'end']]);
    expect(out).toBe('1234567   end\n');
  });

  it('pads a column whose widest cell is 8 characters to 11 (cell width + 3)', () => {
    const out = renderTable([['12345678', 'end'], ['a', 'b']]);
    expect(out).toBe('12345678   end\na          b\n');
  });

  it('does not pad the last column, even when it is the widest cell', () => {
    const out = renderTable([['NAME', 'COMMENT'], ['x', 'a rather long comment']]);
    expect(out.split('\n')[0]).toBe('NAME      COMMENT');
    expect(out.split('\n')[1]).toBe('x         a rather long comment');
  });

  it('trims trailing spaces when the last cell is empty', () => {
    const out = renderTable([
      ['IMAGE', 'SIZE', 'COMMENT'],
      ['<missing>', '0B', ''],
    ]);
    expect(out).toBe('IMAGE       SIZE      COMMENT\n<missing>   0B\n');
    expect(out.split('\n').every((line) => line === line.trimEnd())).toBe(true);
  });

  it('ends every line, including the last, with a newline', () => {
    expect(renderTable([['ONLY']])).toBe('ONLY\n');
  });

  it('prints nothing for no rows', () => {
    expect(renderTable([])).toBe('');
  });
});

describe('ellipsis', () => {
  it('leaves strings that fit alone', () => {
    expect(ellipsis('abc', 3)).toBe('abc');
    expect(ellipsis('abc', 10)).toBe('abc');
    expect(ellipsis('', 5)).toBe('');
  });

  it('truncates to max characters, the last one being …', () => {
    expect(ellipsis('abcdef', 4)).toBe('abc…');
    expect(ellipsis('abcdef', 4)).toHaveLength(4);
  });

  it('truncates a long history command at 45 like `docker history`', () => {
    const cmd = '/bin/sh -c #(nop) ADD file:5d673d25da3a14ce1f6cf66e4c7fd4f4b85a3759a9d93efb3fd9ff852b5b56e4 in / ';
    const short = ellipsis(cmd, 45);
    expect(short).toBe('/bin/sh -c #(nop) ADD file:5d673d25da3a14ce1…');
    expect(short).toHaveLength(45);
  });
});
