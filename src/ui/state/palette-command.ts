import { splitCommandLine } from '../../core/index.js';

/** Palette commands that take an argument: `:pull busybox:1`, `:run busybox sleep 9`, `:exec top`, `:filter status=exited`. */
export type PaletteCommand =
  | { kind: 'pull'; reference: string }
  | { kind: 'run'; image: string; command: string }
  | { kind: 'filter'; text: string }
  | { kind: 'exec'; argv: string[] }
  | { kind: 'error'; message: string };

export const PALETTE_ARGUMENT_COMMANDS = ['pull <reference>', 'run <image> [command…]', 'exec <command…>', 'filter <query>'];

/** The argument command typed in the palette, if the text is one (a command name, a space, the rest). */
export function parsePaletteCommand(query: string): PaletteCommand | undefined {
  const m = /^\s*(pull|run|exec|filter)\s+(.*)$/s.exec(query);
  if (!m) return undefined;
  const rest = m[2]!.trim();
  switch (m[1]) {
    case 'pull':
      if (rest === '' || /\s/.test(rest)) return { kind: 'error', message: 'pull takes one image reference, e.g. :pull busybox:1.36' };
      return { kind: 'pull', reference: rest };
    case 'filter':
      return { kind: 'filter', text: rest };
    case 'exec': {
      // A command in the selected container, in a split pane (the shell key runs bash or sh).
      let argv: string[];
      try {
        argv = splitCommandLine(rest);
      } catch (err) {
        return { kind: 'error', message: (err as Error).message };
      }
      if (argv.length === 0) return { kind: 'error', message: 'exec takes a command, e.g. :exec top' };
      return { kind: 'exec', argv };
    }
    default: {
      const [, image, command] = /^(\S*)\s*(.*)$/s.exec(rest)!;
      if (!image) return { kind: 'error', message: 'run takes an image, e.g. :run busybox sleep 300' };
      try {
        splitCommandLine(command!);
      } catch (err) {
        return { kind: 'error', message: (err as Error).message };
      }
      // The form opens with these; the rest of the options are filled in there.
      return { kind: 'run', image, command: command! };
    }
  }
}
