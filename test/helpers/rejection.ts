/** The error `p` rejects with; fails the test when `p` resolves instead. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  const outcome = await p.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  if (!outcome) throw new Error('expected a failure');
  return outcome;
}
