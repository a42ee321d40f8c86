import { performance } from 'node:perf_hooks';

const enabled = process.env.TSDOCK_TRACE === '1';

/** Start-up and latency tracing: with TSDOCK_TRACE=1, prints ms since process start per phase. */
export function trace(label: string): void {
  if (enabled) process.stderr.write(`[trace ${performance.now().toFixed(1)}ms] ${label}\n`);
}
