/**
 * Merges parsed inputs into one exposition: families keyed by their output name, in order of first
 * appearance; the first type seen wins and a conflicting input's samples of that family are dropped
 * (counted); the first HELP (and UNIT) wins. Pass 1 (input-scan.ts) is all-or-nothing per input; pass 2
 * (writer.ts) writes every family contiguously, once, into output chunks.
 */
import { ByteSink, byteView } from './byte-sink.ts';
import { createParser, formatOfContentType } from './create-parser.ts';
import { type ExpositionFormat, type LabelPair, MetricType } from './entry.ts';
import { convertHelp } from './escape.ts';
import { outputFamily } from './family-naming.ts';
import { type LocalFamily, scanInput } from './input-scan.ts';
import { insertionsFor, SampleRecords } from './sample-records.ts';
import { TargetLabels } from './target-labels.ts';
import { assemble, type MergedFamily, type Prepared } from './writer.ts';

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
  /** Samples dropped because their family's type disagreed with an earlier input's. */
  conflictsDropped: number;
}

export interface MergeResult {
  /** Concatenated, the response body. */
  chunks: Buffer[];
  bytes: number;
  inputs: InputOutcome[];
}

export function mergeExpositions(inputs: readonly MergeInput[], format: ExpositionFormat): MergeResult {
  let bodyBytes = 0;
  for (const input of inputs) bodyBytes += input.body.length;
  // Real expositions average well over 40 bytes per line; HELP/TYPE lines take no record.
  const records = new SampleRecords(Math.ceil(bodyBytes / 40));
  const side = new ByteSink(Math.min(1 << 16, bodyBytes));
  const families = new Map<string, MergedFamily>();
  const order: MergedFamily[] = [];
  const prepared: Prepared[] = [];
  const outcomes: InputOutcome[] = [];

  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index] as MergeInput;
    const recordsMark = records.length;
    const sideMark = side.pos;
    const targets = new TargetLabels(input.targetLabels);
    const insertions = insertionsFor(targets.joined);
    prepared.push({
      body: byteView(input.body),
      insertions: [byteView(insertions[0]), byteView(insertions[1]), byteView(insertions[2])],
    });
    const inFormat = formatOfContentType(input.contentType);
    let outcome: InputOutcome;
    try {
      const parser = createParser(input.body, inFormat);
      const scan = scanInput(parser, {
        outFormat: format,
        records,
        side,
        targets,
        insertions,
        honorLabels: input.honorLabels,
      });
      if (scan.ok) {
        outcome = adopt(scan.families, index, input.body, inFormat, format, families, order);
      } else {
        records.length = recordsMark;
        side.pos = sideMark;
        outcome = { ok: false, samples: 0, error: scan.error, conflictsDropped: 0 };
      }
    } catch (err) {
      // Defensive: a bug here must cost one input, never the whole space.
      records.length = recordsMark;
      side.pos = sideMark;
      const message = err instanceof Error ? err.message : String(err);
      outcome = { ok: false, samples: 0, error: `internal parser error: ${message}`, conflictsDropped: 0 };
    }
    outcomes.push(outcome);
  }

  const { chunks, bytes } = assemble(order, format, records, side.buf, prepared);
  return { chunks, bytes, inputs: outcomes };
}

function adopt(
  locals: readonly LocalFamily[],
  index: number,
  body: Buffer,
  from: ExpositionFormat,
  to: ExpositionFormat,
  families: Map<string, MergedFamily>,
  order: MergedFamily[],
): InputOutcome {
  let samples = 0;
  let dropped = 0;
  const localNames = from === 'text' && to === 'openmetrics' ? new Set(locals.map((l) => l.name)) : undefined;
  for (const local of locals) {
    let target = from === to ? local : outputFamily(local.name, local.type, from, to);
    if (localNames !== undefined && target.name !== local.name) {
      // Go clients expose gauge `x` beside counter `x_total`: as OM counter `x` the two would collide,
      // so the counter keeps its own name as an unknown-typed family (same samples either way).
      const taken = families.get(target.name);
      if (localNames.has(target.name) || (taken !== undefined && taken.type !== target.type)) {
        target = { name: local.name, type: MetricType.Unknown };
      }
    }
    let merged = families.get(target.name);
    if (merged === undefined) {
      merged = {
        name: target.name,
        type: target.type,
        help: undefined,
        unit: undefined,
        segments: [],
        bytes: 0,
      };
      families.set(target.name, merged);
      order.push(merged);
    } else if (merged.type !== target.type) {
      dropped += local.samples;
      continue;
    }
    samples += local.samples;
    if (merged.help === undefined && local.helpStart >= 0) {
      merged.help = convertHelp(body, local.helpStart, local.helpEnd, from, to);
    }
    if (merged.unit === undefined && local.unitStart >= 0 && to === 'openmetrics') {
      merged.unit = body.subarray(local.unitStart, local.unitEnd);
    }
    const segs = local.segments;
    for (let s = 0; s < segs.length; s += 2) {
      merged.segments.push(index, segs[s] as number, segs[s + 1] as number);
    }
    merged.bytes += local.bytes;
  }
  return { ok: true, samples, conflictsDropped: dropped };
}
