/**
 * Polls until `check` returns a value (not undefined) or the timeout passes, for state that settles
 * asynchronously (NOTIFY, discovery refresh, Prometheus scrape cycles). A thrown error counts as "not
 * yet" and is reported if time runs out.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
