/**
 * `--format` of the inspect commands (inspect, image/volume/network inspect), as Docker's
 * `cli/command/inspect`: no format is an indented JSON array, `json` the same array on one line,
 * anything else a Go template applied to each object, one line each.
 */
import { compileFormat } from './list-format.js';

export type InspectPrinter = (objects: readonly unknown[]) => string;

/** Reads the format before any lookup, so a bad template fails first (exit 1). */
export function inspectPrinter(format: string | undefined): InspectPrinter {
  if (format === undefined || format === '') return (objects) => `${JSON.stringify(objects, null, 4)}\n`;
  if (format === 'json') return (objects) => `${JSON.stringify(objects)}\n`;
  const template = compileFormat(format);
  return (objects) => objects.map((o) => `${template.render(o)}\n`).join('');
}
