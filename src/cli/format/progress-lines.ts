/**
 * Docker's per-layer status display. On a terminal each id keeps one line, rewritten in place
 * with cursor movements; elsewhere each state change is one plain line, and transient updates
 * (byte progress) are not printed at all.
 */
export class ProgressLines {
  private readonly ids: string[] = [];
  private readonly lastPlain = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    readonly tty: boolean,
  ) {}

  show(id: string, text: string, transient = false): void {
    if (!this.tty) {
      if (transient || this.lastPlain.get(id) === text) return;
      this.lastPlain.set(id, text);
      this.out.write(`${id}: ${text}\n`);
      return;
    }
    const row = this.ids.indexOf(id);
    if (row === -1) {
      this.ids.push(id);
      this.out.write(`${id}: ${text}\n`);
      return;
    }
    const up = this.ids.length - row;
    this.out.write(`\x1b[${up}A\r\x1b[2K${id}: ${text}\r\x1b[${up}B`);
  }
}
