/**
 * Incremental merge: `add` runs pass 1 (input-scan.ts) for one input as soon as its body is there and
 * writes its large families right away (writer.ts), so a caller fetching many targets does most of the
 * work while the others are still in flight; `finish` writes the rest around those pieces. Inputs are
 * adopted into families in position order, whatever order they are added in, so the output does not
 * depend on which target answered first. When `add` returns true, what the rest needs of the body
 * has been copied (kept-bytes.ts, detachHeaders): the caller may reuse its memory at once.
 */

import type { InputOutcome, MergeInput, MergeResult } from './contract.ts';
import { type Adopted, adopt } from './merge/adopt.ts';
import { type MergedFamilies, Segments } from './merge/merged-families.ts';
import { createParser, formatOfContentType } from './parse/create-parser.ts';
import type { ExpositionFormat } from './parse/entry.ts';
import { ByteSink, byteView } from './scan/byte-sink.ts';
import { detachHeaders, LocalFamilies, type LocalFamily, scanInput } from './scan/input-scan.ts';
import { SampleRecords } from './scan/sample-records.ts';
import { prepareLabels } from './scan/target-labels.ts';
import type { ChunkPool } from './write/chunk-pool.ts';
import { KeptBytes, keptEstimate } from './write/kept-bytes.ts';
import { assemble, PieceMemory, type Prepared, writePieces } from './write/writer.ts';

export interface MergerOptions {
  /** Total body bytes expected, when known: sizes the record store so it rarely grows. */
  expectedBytes?: number;
  /** Output family names only an input added with `owner` may contribute to (e.g. synthetic series). */
  reserved?: readonly string[];
  /** Output chunks come from here; the result's `release` hands them back. */
  pool?: ChunkPool;
  /**
   * A body is let go of on arrival (`add` returns true) when what the rest of the merge needs of it is
   * at most this share of its bytes (default KEEP_SHARE_MAX; 1: always).
   */
  keepShare?: number;
}

/**
 * Copying what the rest of the merge needs of a body lets go of all of it; worth it when that is at most
 * a third (two bytes freed per byte copied). Bodies of large histograms (Micrometer-like: ~0.1%) and
 * of a few hundred families (alltypes fixture: 24%) pass; node_exporter's 1,200 small families (42%)
 * would cost ~10% more merge time for a little over half its body, so it is read until `finish`.
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
  /** The merged exposition. The merger is spent afterwards. */
  finish(): MergeResult;
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
    pieces: [],
  };
  const pieceMemory = new PieceMemory(options.pool);
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
        writePieces(scan.families, records, side.buf, prep, pieceMemory);
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

  function finish(): MergeResult {
    adoptPending(true);
    const { chunks, bytes, taken } = assemble(
      merged.order,
      format,
      records,
      side.buf,
      prepared,
      merged.segments,
      merged.pieces,
      options.pool,
    );
    kept.release();
    records.release();
    const pool = options.pool;
    const inputs: InputOutcome[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      inputs.push(outcomes[i] ?? { ok: false, samples: 0, error: 'not added', conflictsDropped: 0 });
    }
    const held = [...taken, ...pieceMemory.taken];
    return {
      chunks,
      bytes,
      inputs,
      release() {
        if (pool !== undefined) for (const chunk of held.splice(0)) pool.give(chunk);
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
  };
}
