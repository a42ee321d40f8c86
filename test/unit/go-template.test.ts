import { describe, expect, it } from 'vitest';
import { TemplateError, compileTemplate } from '../../src/cli/format/go-template.js';

// Reference: Go text/template + fmt printing as used by `docker ... --format`
// (slices print as [a b], maps as map[k:v] with keys sorted, missing map keys as <no value>),
// and docker/cli's template functions (json, upper, lower, title, index, join, println).

const render = (source: string, value: unknown): string => compileTemplate(source).render(value);

const image = {
  ID: 'sha256:4048db5d36726e313ab8f7ffccf2362a34cba69e4cdd49119713483a68641fce',
  Repository: 'alpine',
  Tag: '3.20',
  Config: {
    Cmd: ['sh'],
    Entrypoint: ['/docker-entrypoint.sh', 'nginx'],
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Labels: { maintainer: 'NGINX Docker Maintainers', 'org.opencontainers.image.version': '1.27' },
  },
  RootFS: { Type: 'layers', Layers: ['sha256:aaa', 'sha256:bbb'] },
  Size: 7797760,
};

describe('compileTemplate: field access', () => {
  it('prints a top-level field', () => {
    expect(render('{{.ID}}', image)).toBe(image.ID);
  });

  it('prints a nested field', () => {
    expect(render('{{.RootFS.Type}}', image)).toBe('layers');
  });

  it('prints a string slice as Go does: [sh]', () => {
    expect(render('{{.Config.Cmd}}', image)).toBe('[sh]');
    expect(render('{{.Config.Entrypoint}}', image)).toBe('[/docker-entrypoint.sh nginx]');
    expect(render('{{.Config.Cmd}}', { Config: { Cmd: ['sh', '-c', 'echo hi'] } })).toBe('[sh -c echo hi]');
  });

  it('prints a map as map[k:v] with keys sorted', () => {
    expect(render('{{.M}}', { M: { b: 2, a: 1 } })).toBe('map[a:1 b:2]');
    expect(render('{{.Config.Labels}}', image)).toBe(
      'map[maintainer:NGINX Docker Maintainers org.opencontainers.image.version:1.27]',
    );
  });

  it('sorts map keys byte-wise as Go does (upper case before lower case, "-" < "." < "_")', () => {
    expect(render('{{.M}}', { M: { b: 1, a: 2, B: 3 } })).toBe('map[B:3 a:2 b:1]');
    expect(render('{{.M}}', { M: { 'x_y': 1, 'x.y': 2, 'x-y': 3 } })).toBe('map[x-y:3 x.y:2 x_y:1]');
  });

  it('prints numbers and booleans plainly', () => {
    expect(render('{{.Size}}', image)).toBe('7797760');
    expect(render('{{.T}} {{.F}}', { T: true, F: false })).toBe('true false');
  });

  it('prints <no value> for a missing field', () => {
    expect(render('{{.Nope}}', image)).toBe('<no value>');
    expect(render('{{.Config.Nope}}', image)).toBe('<no value>');
  });

  it('keeps the literal text around actions', () => {
    expect(render('{{.Repository}}:{{.Tag}} ({{.Size}} bytes)', image)).toBe('alpine:3.20 (7797760 bytes)');
  });

  it('accepts spaces inside the braces', () => {
    expect(render('{{ .Repository }}', image)).toBe('alpine');
  });
});

describe('compileTemplate: functions', () => {
  it('{{json .}} encodes the whole value', () => {
    expect(render('{{json .}}', { ID: 'abc', Size: 5, Tags: ['a:1'] })).toBe('{"ID":"abc","Size":5,"Tags":["a:1"]}');
  });

  it('{{json .RootFS}} encodes one field', () => {
    expect(render('{{json .RootFS}}', image)).toBe('{"Type":"layers","Layers":["sha256:aaa","sha256:bbb"]}');
  });

  it('{{json}} does not HTML-escape (docker/cli disables it)', () => {
    expect(render('{{json .S}}', { S: '<a & b>' })).toBe('"<a & b>"');
  });

  it('{{json .Missing}} prints null', () => {
    expect(render('{{json .Missing}}', image)).toBe('null');
  });

  it('{{upper .X}} and {{lower .X}}', () => {
    expect(render('{{upper .Repository}}', image)).toBe('ALPINE');
    expect(render('{{lower .X}}', { X: 'MiXeD' })).toBe('mixed');
  });

  it('{{title .X}} capitalises each word', () => {
    expect(render('{{title .X}}', { X: 'hello world' })).toBe('Hello World');
  });

  it('{{index .Labels "k"}} looks a key up', () => {
    expect(render('{{index .Config.Labels "org.opencontainers.image.version"}}', image)).toBe('1.27');
    expect(render('{{index .Config.Labels "maintainer"}}', image)).toBe('NGINX Docker Maintainers');
  });

  it('{{join .List ","}} joins a list', () => {
    expect(render('{{join .Config.Cmd ","}}', { Config: { Cmd: ['sh', '-c', 'true'] } })).toBe('sh,-c,true');
  });
});

describe('compileTemplate: escapes and tables', () => {
  it('turns a typed \\t and \\n into tab and newline', () => {
    expect(render('{{.Repository}}\\t{{.Tag}}\\n', image)).toBe('alpine\t3.20\n');
  });

  it('a plain template is not a table', () => {
    expect(compileTemplate('{{.Repository}}').isTable).toBe(false);
  });

  it('table {{.Repository}}\\t{{.Tag}} has the header REPOSITORY<TAB>TAG and plain rows', () => {
    const tpl = compileTemplate('table {{.Repository}}\\t{{.Tag}}');
    expect(tpl.isTable).toBe(true);
    expect(tpl.header()).toBe('REPOSITORY\tTAG');
    expect(tpl.render(image)).toBe('alpine\t3.20');
  });

  it('table with a real tab character works the same', () => {
    const tpl = compileTemplate('table {{.Repository}}\t{{.Tag}}');
    expect(tpl.isTable).toBe(true);
    expect(tpl.header()).toBe('REPOSITORY\tTAG');
  });

  it('table header upper-cases the field name and splits camel case', () => {
    const tpl = compileTemplate('table {{.ID}}\\t{{.Size}}\\t{{.CreatedBy}}');
    expect(tpl.header()).toBe('ID\tSIZE\tCREATED BY');
  });

  it('a field merely starting with "table" is not a table', () => {
    const tpl = compileTemplate('tablet {{.X}}');
    expect(tpl.isTable).toBe(false);
    expect(tpl.render({ X: 1 })).toBe('tablet 1');
  });
});

describe('compileTemplate: errors', () => {
  it('an unknown function fails at compile time with TemplateError', () => {
    expect(() => compileTemplate('{{nosuchfunc .ID}}')).toThrow(TemplateError);
    expect(() => compileTemplate('{{nosuchfunc .ID}}')).toThrow('function "nosuchfunc" not defined');
  });

  it('fails at compile time even when the unknown function is in a later action', () => {
    expect(() => compileTemplate('{{.ID}} {{bogus .Tag}}')).toThrow(TemplateError);
  });

  it('an unclosed action is a TemplateError', () => {
    expect(() => compileTemplate('{{.ID')).toThrow(TemplateError);
  });
});
