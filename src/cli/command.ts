import type { Engine } from '../core/index.js';
import type { ClosedOutput } from './closed-output.js';

/** What a command needs from its surroundings; tests give their own streams. */
export interface CliContext {
  engine(): Promise<Engine>;
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  isTTY: boolean;
  /** Ends tsdock quietly when stdout/stderr lose their reader; `hold` defers that for work that must finish. */
  closedOutput: ClosedOutput;
}

export interface Command {
  name: string;
  aliases?: string[];
  usage: string;
  summary: string;
  /** Returns the exit code. */
  run(ctx: CliContext, argv: string[]): Promise<number>;
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text);
}
