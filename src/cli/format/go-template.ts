/**
 * The subset of Go templates that `--format` is used with in practice: `{{.Field}}`,
 * `{{.A.B}}`, `{{json .}}`, `{{json .Field}}`, `{{upper|lower|title ...}}`, `{{index .M "k"}}`,
 * and a leading `table` that prints a header row. Values print as Go's fmt would
 * (lists as `[a b]`, maps as `map[k:v]`, missing values as `<no value>`).
 */
export class TemplateError extends Error {}

export interface CompiledTemplate {
  isTable: boolean;
  render(value: unknown): string;
  /** The template with each action replaced by its field's column header: `names` first, else derived from the field name. */
  header(names?: Readonly<Record<string, string>>): string;
}

export function compileTemplate(source: string): CompiledTemplate {
  let text = source.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const isTable = /^table\s/.test(text) || text === 'table';
  if (isTable) text = text.replace(/^table\s?/, '');
  const parts: ({ lit: string } | { expr: string })[] = [];
  const re = /\{\{-?\s*(.*?)\s*-?\}\}/g;
  let last = 0;
  for (let m; (m = re.exec(text)); last = re.lastIndex) {
    if (m.index > last) parts.push({ lit: text.slice(last, m.index) });
    parts.push({ expr: m[1]! });
  }
  if (last < text.length) parts.push({ lit: text.slice(last) });
  if (text.includes('{{') && !parts.some((p) => 'expr' in p)) throw new TemplateError(`template: unclosed action in "${source}"`);
  for (const p of parts) if ('expr' in p) evaluate(p.expr, {}, true);
  return {
    isTable,
    render: (value) => parts.map((p) => ('lit' in p ? p.lit : evaluate(p.expr, value, false))).join(''),
    header: (names = {}) => parts.map((p) => ('lit' in p ? p.lit : headerName(p.expr, names))).join(''),
  };
}

function headerName(expr: string, names: Readonly<Record<string, string>>): string {
  const field = expr.split(/\s+/).find((t) => t.startsWith('.'));
  if (!field || field === '.') return '';
  if (Object.hasOwn(names, field.slice(1))) return names[field.slice(1)]!;
  return field.slice(1).split('.').at(-1)!.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function evaluate(expr: string, value: unknown, checkOnly: boolean): string {
  const tokens = expr.match(/"[^"]*"|\S+/g) ?? [];
  const fn = tokens[0]?.startsWith('.') ? undefined : tokens.shift();
  const args = tokens.map((t) => (t.startsWith('"') ? t.slice(1, -1) : checkOnly ? undefined : lookup(value, t)));
  const allowed = [undefined, 'json', 'upper', 'lower', 'title', 'index', 'join', 'println'];
  if (!allowed.includes(fn)) throw new TemplateError(`template: function "${fn}" not defined`);
  if (tokens.some((t) => !t.startsWith('.') && !t.startsWith('"'))) throw new TemplateError(`template: cannot parse "${expr}"`);
  if (checkOnly) return '';
  switch (fn) {
    case 'json':
      return JSON.stringify(args[0] ?? null);
    case 'upper':
      return goString(args[0]).toUpperCase();
    case 'lower':
      return goString(args[0]).toLowerCase();
    case 'title':
      return goString(args[0]).replace(/\b\w/g, (c) => c.toUpperCase());
    case 'index':
      return goString((args[0] as Record<string, unknown> | undefined)?.[String(args[1])]);
    case 'join':
      return Array.isArray(args[0]) ? args[0].join(String(args[1] ?? '')) : goString(args[0]);
    case 'println':
      return `${args.map(goString).join(' ')}\n`;
    default:
      return goString(args[0]);
  }
}

function lookup(value: unknown, path: string): unknown {
  if (path === '.') return value;
  let v: unknown = value;
  for (const key of path.slice(1).split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${goString(x)}`).join(' ')}]`;
  }
  return String(v);
}
