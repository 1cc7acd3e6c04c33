/**
 * Returns a function that callers tell how many bytes of external memory they have just turned into
 * garbage; every `budgetBytes` of it, one young-generation collection runs, when the process was started
 * with `--expose-gc` (manifest.yml starts the scraper so); without the flag it does nothing.
 *
 * Why: a Buffer is a small object on the JS heap whose bytes live outside it. A space scrape copies every
 * instance body out of the socket's (and zlib's) buffers into its arena, leaving tens of MB of dead
 * buffers behind, yet they fill so little of the young generation that no scavenge comes; V8 collects
 * for external memory only ~64 MB past what its last full collection left. Until then those bytes stay
 * resident: a 200 × 100 KB space scrape peaked ~20–30 MB higher (bench/memory.bench.ts). A scavenge
 * frees them and costs little, as little of a scrape's young generation is alive.
 */
export function createGarbageCollector(budgetBytes: number): (bytes: number) => void {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  if (typeof gc !== 'function') return () => {};
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < budgetBytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
}
