/**
 * One-shot merge over the pipeline (merger.ts); the contract's types are in contract.ts. Family rules
 * live in merge/adopt.ts, pass 1 in scan/input-scan.ts, pass 2 in write/writer.ts.
 */

import type { MergeInput, MergeResult } from './contract.ts';
import { createMerger } from './merger.ts';
import type { ExpositionFormat } from './parse/entry.ts';
import type { ChunkPool } from './write/chunk-pool.ts';

/** One-shot merge of inputs already at hand (see merger.ts for adding them as they arrive). */
export function mergeExpositions(
  inputs: readonly MergeInput[],
  format: ExpositionFormat,
  pool?: ChunkPool,
): MergeResult {
  let expectedBytes = 0;
  for (const input of inputs) expectedBytes += input.body.length;
  const merger = createMerger(format, pool === undefined ? { expectedBytes } : { expectedBytes, pool });
  for (const input of inputs) merger.add(input);
  return merger.finish();
}
