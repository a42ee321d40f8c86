/**
 * "Nothing is there" as a file-system answer, told apart from real failures: a listing of a
 * directory not made yet is empty, removing a file already gone is done, but a permission or
 * I/O error still reaches the caller.
 */

/** ENOENT (no such file) or ENOTDIR (a component of the path is not a directory). */
export function isMissingPath(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The result of `op`, or `fallback` when its path does not exist; other errors are thrown. */
export async function unlessMissing<T, F>(op: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await op;
  } catch (err) {
    if (isMissingPath(err)) return fallback;
    throw err;
  }
}
