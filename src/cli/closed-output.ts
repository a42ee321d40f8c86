/** What a shell reports for a program killed by SIGPIPE, as Docker's CLI is when its reader goes away. */
export const EXIT_CLOSED_OUTPUT = 141;

/**
 * The reader of stdout or stderr going away (`tsdock logs x | head -1`). Docker's CLI dies of
 * SIGPIPE without a word; tsdock ends quietly too (no stack trace, exit 141). A command with work
 * that must not be cut short (a foreground container to end and, with --rm, to remove) runs it
 * under `hold`: tsdock then does not exit at once, the work sees `signal` aborted and winds down,
 * and tsdock ends when the command returns.
 */
export class ClosedOutput {
  private readonly controller = new AbortController();
  private holds = 0;
  /** Aborted once stdout or stderr has lost its reader. */
  readonly signal: AbortSignal = this.controller.signal;

  constructor(private readonly exit: (code: number) => void = (code) => process.exit(code)) {}

  watch(stream: NodeJS.WritableStream): void {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // Any other write error is a real fault: let it surface as before.
      if (err.code !== 'EPIPE') throw err;
      this.controller.abort();
      if (this.holds === 0) this.exit(EXIT_CLOSED_OUTPUT);
    });
  }

  /** Runs a command's work; its exit code, or 141 when the output closed meanwhile (what Docker's CLI would exit with). */
  async hold(work: (signal: AbortSignal) => Promise<number>): Promise<number> {
    this.holds++;
    try {
      const code = await work(this.signal);
      return this.signal.aborted ? EXIT_CLOSED_OUTPUT : code;
    } finally {
      this.holds--;
    }
  }
}
