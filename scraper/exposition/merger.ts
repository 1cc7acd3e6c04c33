/**
 * Incremental merge: `add` runs pass 1 (input-scan.ts) for one input as soon as its body is there, so
 * a caller fetching many targets parses while the others are still in flight; `finishStream` then
 * writes the output window by window (writer.ts), `finish` all at once. Inputs are adopted into
 * families in position order, whatever order they are added in, so the output does not depend on
 * which target answered first. When `add` returns true, what the rest needs of the body has been
 * copied (kept-bytes.ts, detachHeaders): the caller may reuse its memory at once.
 */

import type { InputOutcome, MergeInput, MergeOutput, MergeResult } from './contract.ts';
import { type Adopted, adopt } from './merge/adopt.ts';
import { type MergedFamilies, Segments } from './merge/merged-families.ts';
import { createParser, formatOfContentType } from './parse/create-parser.ts';
import type { ExpositionFormat } from './parse/entry.ts';
import { ByteSink, byteView } from './scan/byte-sink.ts';
import { detachHeaders, LocalFamilies, type LocalFamily, scanInput } from './scan/input-scan.ts';
import { SampleRecords } from './scan/sample-records.ts';
import { prepareLabels } from './scan/target-labels.ts';
import { CHUNK_BYTES, type ChunkPool } from './write/chunk-pool.ts';
import { KeptBytes, keptEstimate } from './write/kept-bytes.ts';
import { MergedReader, type Prepared } from './write/writer.ts';

export interface MergerOptions {
  /** Total body bytes expected, when known: sizes the record store so it rarely grows. */
  expectedBytes?: number;
  /** Output family names only an input added with `owner` may contribute to (e.g. synthetic series). */
  reserved?: readonly string[];
  /** `finish`'s output chunks and the kept bytes come from here; `release` hands them back. */
  pool?: ChunkPool;
  /**
   * A body is let go of on arrival (`add` returns true) when what the rest of the merge needs of it is
   * at most this share of its bytes (default KEEP_SHARE_MAX; 1: always).
   */
  keepShare?: number;
}

/**
 * Copying what the rest of the merge needs of a body lets go of all of it; worth it when that is at most
 * a third (two bytes freed per byte copied): bodies mostly of HELP text and comments. A body of
 * samples is read until the output is written.
 */
const KEEP_SHARE_MAX = 1 / 3;

export interface Merger {
  /**
   * Pass 1 of the input at `position` (default: the next one). Each position at most once; positions
   * never added are simply absent from the output. Returns true when nothing reads `input.body` once
   * it has returned; false when the merge reads it until `finish` has returned.
   */
  add(input: MergeInput, position?: number, owner?: boolean): boolean;
  /** Declares `position` absent for good, so later positions need not wait for it to be adopted. */
  skip(position: number): void;
  /** Outcome of every position so far (absent ones: undefined); adopts everything added. */
  outcomes(): (InputOutcome | undefined)[];
  /** The merged exposition, all of it in chunks. The merger is spent afterwards. */
  finish(): MergeResult;
  /** The merged exposition, to be written window by window. The merger is spent afterwards. */
  finishStream(): MergeOutput;
}

interface Scanned {
  readonly families: LocalFamily[];
  /** Their names, HELP and UNIT: the body while it is alive, else a copy (detachHeaders). */
  readonly headers: Buffer;
  readonly from: ExpositionFormat;
  readonly owner: boolean;
}

export function createMerger(format: ExpositionFormat, options: MergerOptions = {}): Merger {
  const expected = options.expectedBytes ?? 0;
  // Real expositions average well over 40 bytes per line; HELP/TYPE lines take no record.
  const records = new SampleRecords(Math.ceil(expected / 40));
  const side = new ByteSink(expected > 0 ? Math.min(1 << 16, expected) : 1 << 16);
  // Headers of the inputs waiting for adoption; empty again whenever none waits.
  const headers = new ByteSink(1 << 14);
  const kept = new KeptBytes(options.pool);
  const merged: MergedFamilies = {
    byName: new Map(),
    order: [],
    reserved: new Set(options.reserved),
    segments: new Segments(),
  };
  const localFamilies = new LocalFamilies();
  const prepared: Prepared[] = [];
  const outcomes: (InputOutcome | undefined)[] = [];
  const pending = new Map<number, Scanned>();
  const absent = new Set<number>();
  let nextPosition = 0;
  let highest = -1;
  // Positions below this are adopted (or absent for good).
  let adoptedUpTo = 0;

  function adoptOne(position: number, scanned: Scanned): void {
    const a: Adopted = adopt(
      scanned.families,
      position,
      scanned.headers,
      scanned.from,
      format,
      merged,
      scanned.owner,
    );
    outcomes[position] = {
      ok: true,
      samples: a.samples,
      conflictsDropped: a.conflictsDropped,
      families: scanned.families.length,
    };
    localFamilies.give(scanned.families);
  }

  /** Adopts the pending inputs in position order; `all` also steps over positions never added. */
  function adoptPending(all: boolean): void {
    while (adoptedUpTo <= highest) {
      const scanned = pending.get(adoptedUpTo);
      if (scanned !== undefined) {
        pending.delete(adoptedUpTo);
        adoptOne(adoptedUpTo, scanned);
        if (pending.size === 0) headers.pos = 0;
      } else if (!all && outcomes[adoptedUpTo] === undefined && !absent.has(adoptedUpTo)) {
        return;
      }
      adoptedUpTo++;
    }
  }

  function claim(position: number): void {
    if (
      position < adoptedUpTo ||
      outcomes[position] !== undefined ||
      pending.has(position) ||
      absent.has(position)
    ) {
      throw new Error(`merge position ${position} added twice or after it was settled`);
    }
    nextPosition = Math.max(nextPosition, position + 1);
    highest = Math.max(highest, position);
  }

  const keepShare = options.keepShare ?? KEEP_SHARE_MAX;

  function add(input: MergeInput, position = nextPosition, owner = false): boolean {
    claim(position);
    const recordsMark = records.length;
    const sideMark = side.pos;
    const { targets, insertions, insertionViews } = prepareLabels(input.targetLabels);
    const from = formatOfContentType(input.contentType);
    let error: string;
    try {
      const scan = scanInput(createParser(input.body, from), {
        outFormat: format,
        families: localFamilies,
        records,
        side,
        targets,
        insertions,
        honorLabels: input.honorLabels,
      });
      if (scan.ok) {
        const prep: Prepared = { body: byteView(input.body), insertions: insertionViews };
        const letGo =
          keepShare >= 1 || keptEstimate(scan.families, prep.insertions) <= keepShare * input.body.length;
        if (letGo) prep.body = kept.keep(scan.families, records, prep.body);
        // The next input to adopt is adopted right below, while its body is still alive; only one that
        // waits for an earlier position, its body let go of, needs its headers copied out of it.
        const at = position === adoptedUpTo || !letGo ? input.body : detachHeaders(scan.families, headers);
        pending.set(position, { families: scan.families, headers: at, from, owner });
        adoptPending(false);
        // Last: an input that failed on the way refers to no body.
        prepared[position] = prep;
        return letGo;
      }
      error = scan.error;
    } catch (err) {
      // Defensive: a bug here must cost one input, never the whole space.
      error = `internal parser error: ${err instanceof Error ? err.message : String(err)}`;
    }
    records.length = recordsMark;
    side.pos = sideMark;
    outcomes[position] = { ok: false, samples: 0, error, conflictsDropped: 0 };
    adoptPending(false);
    return true;
  }

  function finishStream(): MergeOutput {
    adoptPending(true);
    const reader = new MergedReader(merged.order, format, records, side.buf, prepared, merged.segments);
    const inputs: InputOutcome[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      inputs.push(outcomes[i] ?? { ok: false, samples: 0, error: 'not added', conflictsDropped: 0 });
    }
    let released = false;
    return {
      bytes: reader.bytes,
      inputs,
      next: (window) => (released ? undefined : reader.next(window)),
      release() {
        if (released) return;
        released = true;
        kept.release();
        records.release();
      },
    };
  }

  function finish(): MergeResult {
    const out = finishStream();
    const pool = options.pool;
    const chunks: Buffer[] = [];
    const taken: Buffer[] = [];
    const unpooled = Math.max(1, Math.min(CHUNK_BYTES, out.bytes));
    // One window per chunk: its unused tail (less than a line) is not worth a second call.
    for (;;) {
      const chunk = pool === undefined ? Buffer.allocUnsafe(unpooled) : pool.take();
      const part = out.next(chunk);
      const inChunk = part !== undefined && part.buffer === chunk.buffer;
      if (pool !== undefined) {
        if (inChunk) taken.push(chunk);
        else pool.give(chunk);
      }
      if (part === undefined) break;
      chunks.push(part);
    }
    out.release();
    return {
      chunks,
      bytes: out.bytes,
      inputs: out.inputs,
      release() {
        if (pool !== undefined) for (const chunk of taken.splice(0)) pool.give(chunk);
      },
    };
  }

  return {
    add,
    skip(position) {
      claim(position);
      absent.add(position);
      adoptPending(false);
    },
    outcomes() {
      adoptPending(true);
      return outcomes.slice();
    },
    finish,
    finishStream,
  };
}
