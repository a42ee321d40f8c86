/** True when a process with this pid exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pid encoded in a temp name written by tempName(): `.tmp-<pid>-...`. */
export function pidOfTempName(name: string): number | undefined {
  const m = /^\.tmp-(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}
