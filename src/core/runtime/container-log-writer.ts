import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a container's output in conmon's k8s-file format (`<time> <stream> <F|P> <text>`),
 * for containers tsdock runs in the foreground itself, so `logs` reads one format for all.
 */
export class ContainerLogWriter {
  private readonly file: WriteStream;

  constructor(path: string) {
    this.file = createWriteStream(path, { flags: 'a', mode: 0o640 });
    // A log that cannot be written (disk full) must not take the foreground run down with it:
    // the output still reaches the terminal, as Docker keeps a container whose log driver fails.
    this.file.on('error', () => {});
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = chunk.toString('utf8');
    const lines = text.split('\n');
    const last = lines.pop()!;
    const time = timestamp();
    let out = '';
    for (const l of lines) out += `${time} ${stream} F ${l}\n`;
    // A chunk ending mid-line is a partial record; the next one continues it.
    if (last !== '') out += `${time} ${stream} P ${last}\n`;
    this.file.write(out);
  }

  async close(): Promise<void> {
    this.file.end();
    await once(this.file, 'close');
  }
}

/** RFC 3339 with nanoseconds, as conmon writes (milliseconds padded: Node has no finer clock time). */
function timestamp(): string {
  const ns = process.hrtime.bigint() % 1_000_000n;
  return new Date().toISOString().replace('Z', `${ns.toString().padStart(6, '0')}Z`);
}
