import mallocTrim from '@promregator/malloc-trim';

/** How long after the collection the malloc heaps are trimmed: freed backing stores may be swept late. */
const TRIM_DELAY_MS = 1_000;

/**
 * Returns a function that runs one full garbage collection soon, when the process was started with
 * `--expose-gc` (manifest.yml starts the scraper so), coalescing calls made in the same turn; without the
 * flag (tests, local mode) it does nothing. Used after pooled buffers were dropped at idle: their memory
 * is external to the JS heap and goes back to the OS only when a GC finds them dead, and an idle process
 * allocates nothing that would bring a GC about.
 *
 * `trimMalloc`: then also gives glibc's free heap pages back (malloc_trim). Under load the native
 * allocations below the mmap threshold (TLS, zlib, V8's own) spread over glibc's heap, and what they
 * leave free between live blocks stays resident for good, as glibc only trims the heap's top: 29 MB of
 * the scraper's idle RSS were such pages, 7.5 MB once trimmed (bench/memory.bench.ts, 200 × 100 KB).
 */
export function createIdleCollector(options: { trimMalloc?: boolean } = {}): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return () => {};
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      gc();
      if (options.trimMalloc) setTimeout(() => mallocTrim.trim(), TRIM_DELAY_MS).unref();
    }).unref();
  };
}
