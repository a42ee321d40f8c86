import { describe, expect, it } from 'vitest';
import { formatList, parseFormat, type ListSpec } from '../../src/cli/format/list-format.js';
import { inspectPrinter } from '../../src/cli/format/inspect-format.js';
import { goRfc3339, goTimeString } from '../../src/cli/format/go-time.js';
import { TsdockError } from '../../src/core/errors.js';

// A ps-like list: Docker's field names and headers, IDs and commands shortened unless --no-trunc.
const spec: ListSpec = {
  fields: {
    ID: { header: 'CONTAINER ID', truncate: (id) => id.slice(0, 12) },
    Image: { header: 'IMAGE' },
    Command: { header: 'COMMAND', truncate: (cmd) => (cmd.length > 10 ? `${cmd.slice(0, 9)}…` : cmd) },
    RunningFor: { header: 'CREATED' },
    Names: { header: 'NAMES' },
  },
  columns: ['ID', 'Image', 'Command', 'Names'],
};
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const rows = [
  { ID: ID_A, Image: 'busybox', Command: 'sleep 1000000', RunningFor: '2 minutes ago', Names: 'web' },
  { ID: ID_B, Image: 'alpine:3.20', Command: 'sh', RunningFor: '1 hour ago', Names: 'db' },
];

describe('formatList: the default table', () => {
  const expected =
    'CONTAINER ID   IMAGE         COMMAND      NAMES\n' +
    'aaaaaaaaaaaa   busybox       sleep 100…   web\n' +
    'bbbbbbbbbbbb   alpine:3.20   sh           db\n';

  it('prints the default columns with their headers, values shortened', () => {
    expect(formatList(rows, spec)).toBe(expected);
  });

  it('--format table, an empty --format and "table " are the default table, with no blank lines', () => {
    expect(formatList(rows, spec, { format: 'table' })).toBe(expected);
    expect(formatList(rows, spec, { format: '' })).toBe(expected);
    expect(formatList(rows, spec, { format: 'table ' })).toBe(expected);
  });

  it('--no-trunc prints full IDs and commands', () => {
    const out = formatList(rows, spec, { noTrunc: true }).split('\n');
    expect(out[1]).toMatch(new RegExp(`^${ID_A}\\s+busybox\\s+sleep 1000000\\s+web$`));
  });

  it('no rows still print the header', () => {
    expect(formatList([], spec)).toBe('CONTAINER ID   IMAGE     COMMAND   NAMES\n');
  });
});

describe('formatList: table TEMPLATE', () => {
  it('takes the headers of the command (CONTAINER ID for .ID) and aligns the cells', () => {
    expect(formatList(rows, spec, { format: 'table {{.ID}}\\t{{.Image}}' })).toBe(
      'CONTAINER ID   IMAGE\naaaaaaaaaaaa   busybox\nbbbbbbbbbbbb   alpine:3.20\n',
    );
  });

  it('a real tab separates columns as the typed \\t does', () => {
    expect(formatList(rows, spec, { format: 'table {{.Names}}\t{{.RunningFor}}' })).toBe('NAMES     CREATED\nweb       2 minutes ago\ndb        1 hour ago\n');
  });

  it('a field the command does not name gets a header derived from its name', () => {
    const out = formatList([{ ...rows[0]!, CreatedAt: '2024-01-01 00:00:00 +0000 UTC' }], spec, { format: 'table {{.Names}}\\t{{.CreatedAt}}' });
    expect(out.split('\n')[0]).toBe('NAMES     CREATED AT');
  });

  it('functions around a field keep the field\'s header', () => {
    expect(formatList(rows, spec, { format: 'table {{upper .Names}}' })).toBe('NAMES\nWEB\nDB\n');
  });

  it('--no-trunc reaches template cells too', () => {
    expect(formatList(rows, spec, { format: 'table {{.ID}}', noTrunc: true }).split('\n')[1]).toBe(ID_A);
  });
});

describe('formatList: json', () => {
  it('prints one JSON object per row with the command\'s fields in sorted order', () => {
    const lines = formatList(rows, spec, { format: 'json' }).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[0]).toBe('{"Command":"sleep 100…","ID":"aaaaaaaaaaaa","Image":"busybox","Names":"web","RunningFor":"2 minutes ago"}');
    expect(JSON.parse(lines[1]!)).toEqual({ Command: 'sh', ID: 'bbbbbbbbbbbb', Image: 'alpine:3.20', Names: 'db', RunningFor: '1 hour ago' });
  });

  it('holds only the command\'s fields (extra row fields stay for templates) and full values with --no-trunc', () => {
    const extra = [{ ...rows[0]!, Private: 'x' }];
    const parsed = JSON.parse(formatList(extra, spec, { format: 'json', noTrunc: true })) as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(['Command', 'ID', 'Image', 'Names', 'RunningFor']);
    expect(parsed.ID).toBe(ID_A);
    expect(parsed.Command).toBe('sleep 1000000');
    expect(formatList(extra, spec, { format: '{{.Private}}' })).toBe('x\n');
  });

  it('{{json .}} stays a template (the whole row)', () => {
    expect(JSON.parse(formatList([rows[1]!], spec, { format: '{{json .}}' }))).toMatchObject({ Names: 'db', ID: 'bbbbbbbbbbbb' });
  });

  it('no rows print nothing', () => {
    expect(formatList([], spec, { format: 'json' })).toBe('');
  });
});

describe('formatList: templates', () => {
  it('renders each row on its own line, with no header', () => {
    expect(formatList(rows, spec, { format: '{{.Names}}: {{.Image}}' })).toBe('web: busybox\ndb: alpine:3.20\n');
  });

  it('a field the row lacks prints <no value>, as Go does', () => {
    expect(formatList([rows[0]!], spec, { format: '{{.Nope}}' })).toBe('<no value>\n');
  });
});

describe('formatList: -q', () => {
  it('prints the short IDs only, whatever the format', () => {
    expect(formatList(rows, spec, { quiet: true })).toBe('aaaaaaaaaaaa\nbbbbbbbbbbbb\n');
    expect(formatList(rows, spec, { quiet: true, format: 'json' })).toBe('aaaaaaaaaaaa\nbbbbbbbbbbbb\n');
  });

  it('prints full IDs with --no-trunc', () => {
    expect(formatList(rows, spec, { quiet: true, noTrunc: true })).toBe(`${ID_A}\n${ID_B}\n`);
  });

  it('prints another field when told (volume names), each once when told (one image, two tags)', () => {
    expect(formatList(rows, { ...spec, quietField: 'Names' }, { quiet: true })).toBe('web\ndb\n');
    const twoTags = [rows[0]!, { ...rows[0]!, Names: 'other' }];
    expect(formatList(twoTags, spec, { quiet: true })).toBe('aaaaaaaaaaaa\naaaaaaaaaaaa\n');
    expect(formatList(twoTags, { ...spec, uniqueQuiet: true }, { quiet: true })).toBe('aaaaaaaaaaaa\n');
  });
});

describe('parseFormat and template errors', () => {
  it('tells the kinds apart', () => {
    expect(parseFormat(undefined).kind).toBe('default');
    expect(parseFormat('table').kind).toBe('default');
    expect(parseFormat('json').kind).toBe('json');
    expect(parseFormat(' json ').kind).toBe('json');
    expect(parseFormat('table {{.ID}}').kind).toBe('table');
    expect(parseFormat('{{.ID}}').kind).toBe('template');
    expect(parseFormat('jsonish {{.ID}}').kind).toBe('template');
  });

  it('an unknown function is an invalid argument naming the function', () => {
    let caught: unknown;
    try {
      formatList(rows, spec, { format: '{{nosuch .ID}}' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TsdockError);
    expect((caught as TsdockError).kind).toBe('invalid-argument');
    expect((caught as TsdockError).message).toBe('template parsing error: template: function "nosuch" not defined');
  });

  it('an unclosed action is an error too, in tables as well', () => {
    expect(() => formatList(rows, spec, { format: '{{.ID' })).toThrow(TsdockError);
    expect(() => formatList(rows, spec, { format: 'table {{bogus .ID}}' })).toThrow(/template parsing error: .*"bogus" not defined/);
  });
});

describe('inspectPrinter', () => {
  const objects = [{ Id: 'x', State: { Status: 'running' } }, { Id: 'y', State: { Status: 'exited' } }];

  it('prints an indented JSON array without a format, the same array on one line with json', () => {
    expect(inspectPrinter(undefined)(objects)).toBe(`${JSON.stringify(objects, null, 4)}\n`);
    expect(inspectPrinter('')(objects)).toBe(`${JSON.stringify(objects, null, 4)}\n`);
    const line = inspectPrinter('json')(objects);
    expect(line).toBe('[{"Id":"x","State":{"Status":"running"}},{"Id":"y","State":{"Status":"exited"}}]\n');
    expect(inspectPrinter('json')([])).toBe('[]\n');
  });

  it('applies a template to each object, one line each', () => {
    expect(inspectPrinter('{{.Id}} {{.State.Status}}')(objects)).toBe('x running\ny exited\n');
    expect(inspectPrinter('{{json .State}}')(objects)).toBe('{"Status":"running"}\n{"Status":"exited"}\n');
  });

  it('a bad template is an error before anything is looked up', () => {
    expect(() => inspectPrinter('{{nosuch .Id}}')).toThrow(TsdockError);
  });
});

describe('go-time: timestamps as Docker prints them', () => {
  it('time.Unix(sec, 0).String() for ps and images', () => {
    expect(goTimeString('2024-05-01T12:03:04.567Z')).toBe('2024-05-01 12:03:04 +0000 UTC');
    expect(goTimeString('2024-05-01T14:03:04+02:00')).toBe('2024-05-01 12:03:04 +0000 UTC');
  });

  it('Created.String() with Go\'s trimmed fraction for networks', () => {
    expect(goTimeString('2024-05-01T12:03:04.250Z', { fraction: true })).toBe('2024-05-01 12:03:04.25 +0000 UTC');
    expect(goTimeString('2024-05-01T12:03:04.123456789Z', { fraction: true })).toBe('2024-05-01 12:03:04.123456789 +0000 UTC');
    expect(goTimeString('2024-05-01T12:03:04.000Z', { fraction: true })).toBe('2024-05-01 12:03:04 +0000 UTC');
  });

  it('RFC 3339 for history', () => {
    expect(goRfc3339('2024-05-01T12:03:04.567Z')).toBe('2024-05-01T12:03:04Z');
  });

  it('an absent or unreadable time prints as nothing', () => {
    expect(goTimeString(undefined)).toBe('');
    expect(goTimeString('not a time')).toBe('');
    expect(goRfc3339('')).toBe('');
  });
});
