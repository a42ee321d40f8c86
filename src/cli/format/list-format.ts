/**
 * The one output path of every `ls`-like command (ps, images, history, volume ls, network ls):
 * the rows, as plain objects with Docker's field names and values, become Docker's default table,
 * `-q` IDs, `--format table`, `--format 'table TEMPLATE'`, `--format json` or a Go template per row.
 * Docker's `cli/command/formatter` is the model for what each format kind prints.
 */
import { TsdockError } from '../../core/index.js';
import { compileTemplate, TemplateError, type CompiledTemplate } from './go-template.js';
import { renderTable } from './table.js';

/** One row of a list: Docker's field names, each value a string as Docker prints it. */
export type ListRow = Readonly<Record<string, string>>;

export interface ListField {
  /** The column header (Docker's, e.g. `CONTAINER ID` for ps' `.ID`). */
  header: string;
  /** Shortens the value unless `--no-trunc`, in every format (Docker's json holds short IDs too). */
  truncate?: (value: string) => string;
}

export interface ListSpec {
  /** Docker's fields for this list: the keys of `--format json` and the headers of table templates. */
  fields: Readonly<Record<string, ListField>>;
  /** The fields of the default table, in order. */
  columns: readonly string[];
  /** What `-q` prints: `ID` unless told (volume ls prints names). */
  quietField?: string;
  /** `-q` prints each value once (images: one image under several tags). */
  uniqueQuiet?: boolean;
}

export interface ListFlags {
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
}

/** What a `--format` value asks for. */
export type FormatKind =
  | { kind: 'default' }
  | { kind: 'json' }
  | { kind: 'table'; template: CompiledTemplate }
  | { kind: 'template'; template: CompiledTemplate };

/**
 * Reads a `--format` value: absent, empty or `table` alone is the default table; `json` is one JSON
 * object per row; `table TEMPLATE` a table of the template's fields; anything else a template.
 * A template that does not parse fails the command before any work (exit 1, as Docker's).
 */
export function parseFormat(format: string | undefined): FormatKind {
  const text = format?.trim() ?? '';
  if (text === '' || text === 'table') return { kind: 'default' };
  if (text === 'json') return { kind: 'json' };
  const template = compileFormat(format!);
  return template.isTable ? { kind: 'table', template } : { kind: 'template', template };
}

/** Compiles a Go template given on the command line; a parse error is an invalid argument. */
export function compileFormat(source: string): CompiledTemplate {
  try {
    return compileTemplate(source);
  } catch (err) {
    if (err instanceof TemplateError) throw new TsdockError('invalid-argument', `template parsing error: ${err.message}`);
    throw err;
  }
}

/** The whole output of a list command for these rows, flags and spec. */
export function formatList(rows: readonly ListRow[], spec: ListSpec, flags: ListFlags = {}): string {
  const shown = flags.noTrunc ? rows : rows.map((row) => truncateRow(row, spec.fields));
  if (flags.quiet) {
    const ids = shown.map((row) => row[spec.quietField ?? 'ID'] ?? '');
    return (spec.uniqueQuiet ? [...new Set(ids)] : ids).map((id) => `${id}\n`).join('');
  }
  const format = parseFormat(flags.format);
  switch (format.kind) {
    case 'default':
      return renderTable([spec.columns.map((f) => spec.fields[f]?.header ?? f), ...shown.map((row) => spec.columns.map((f) => row[f] ?? ''))]);
    case 'json':
      return shown.map((row) => `${JSON.stringify(dockerFields(row, spec.fields))}\n`).join('');
    case 'table': {
      const headers = Object.fromEntries(Object.entries(spec.fields).map(([name, f]) => [name, f.header]));
      const lines = [format.template.header(headers), ...shown.map((row) => format.template.render(row))];
      return renderTable(lines.map((line) => line.split('\t')));
    }
    case 'template':
      return shown.map((row) => `${format.template.render(row)}\n`).join('');
  }
}

function truncateRow(row: ListRow, fields: ListSpec['fields']): ListRow {
  const out: Record<string, string> = { ...row };
  for (const [name, field] of Object.entries(fields)) if (field.truncate && out[name] !== undefined) out[name] = field.truncate(out[name]);
  return out;
}

/** Docker marshals a row as a map: its fields only, keys in sorted order. */
function dockerFields(row: ListRow, fields: ListSpec['fields']): Record<string, string> {
  return Object.fromEntries(
    Object.keys(fields)
      .sort()
      .map((name) => [name, row[name] ?? '']),
  );
}
