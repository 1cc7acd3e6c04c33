/**
 * Returns a function that runs one full garbage collection soon, when the process was started with
 * `--expose-gc` (manifest.yml starts the scraper so), coalescing calls made in the same turn; without the
 * flag (tests, local mode) it does nothing. Used after pooled buffers were dropped at idle: their memory
 * is external to the JS heap and goes back to the OS only when a GC finds them dead, and an idle process
 * allocates nothing that would bring a GC about.
 */
export function createIdleCollector(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return () => {};
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      gc();
    }).unref();
  };
}
