/** The merge contract: inputs (bodies with their target labels) in, one exposition out, with an outcome per input. */
import type { LabelPair } from './parse/entry.ts';
export interface MergeInput {
  /** Already decompressed. */
  body: Buffer;
  /** The target's Content-Type: `application/openmetrics-text…` selects OpenMetrics, else text 0.0.4. */
  contentType: string | undefined;
  /** Added to every sample of this input, in this order. Pairs with an invalid name are ignored. */
  targetLabels: readonly LabelPair[];
  honorLabels: boolean;
}

export interface InputOutcome {
  ok: boolean;
  /** Samples of this input present in the output. */
  samples: number;
  error?: string;
  /** Samples dropped because their family's type disagreed with an earlier input's, or its name is reserved. */
  conflictsDropped: number;
  /** Families this input exposed (0 when it failed). */
  families?: number;
}

export interface MergeResult {
  /** Concatenated, the response body. */
  chunks: Buffer[];
  bytes: number;
  inputs: InputOutcome[];
  /**
   * Hands the chunks back to the pool they came from (none: a no-op). Call once nothing reads them any
   * more; they are overwritten by a later merge. Calling it again does nothing.
   */
  release(): void;
}

/** A merge's output, written on demand: what a caller streams or compresses window by window. */
export interface MergeOutput {
  /** Of the whole output. */
  bytes: number;
  inputs: InputOutcome[];
  /**
   * The next bytes, written into a prefix of `window`, or undefined at the end. A line larger than the
   * window comes back alone in a buffer of its own.
   */
  next(window: Buffer): Buffer | undefined;
  /** The merge's memory goes back (call once done with `next`, or to give up); `next` ends. */
  release(): void;
}
