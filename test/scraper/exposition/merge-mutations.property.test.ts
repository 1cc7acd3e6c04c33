// Property: for random valid expositions of every type and random byte mutations of them, merged in
// front of a healthy neighbour, in every format pair:
// - the merged body parses with the project's parser (which refuses what Prometheus 2.42 refuses);
// - the neighbour always gets through, whatever the other input holds;
// - an input the parser accepts passes sample for sample (or fails alone, when a timestamp cannot be
//   spelled in the output format; an OpenMetrics sample before 1970, which Prometheus does not store,
//   is left out of text); one it refuses fails alone, its error quoting the line;
// - a few hundred of the text bodies go through `promtool check metrics`, and none is refused;
// - nothing reads a body once its `add` has returned true (always, with keepShare 1): overwriting each
//   body right after gives the same merged bytes, also when the inputs arrive in reverse order (adopted
//   long after their arrival).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMerger,
  type ExpositionFormat,
  type MergeInput,
  mergeExpositions,
} from '../../../scraper/exposition/index.ts';
import { collect, sampleKeys } from './collect.ts';
import { familiesArb, mutate, render, textStyleArb } from './generated-expositions.ts';
import { hasPromtool, promtoolRefusals } from './promtool.ts';

const OM = 'application/openmetrics-text; version=1.0.0';
const NEIGHBOUR = '# HELP zz_neighbour_up fine\n# TYPE zz_neighbour_up gauge\nzz_neighbour_up{a="1"} 1\n';
const RUNS = 500;
/** How many text bodies are kept for promtool (it reads text only). */
const PROMTOOL_SAMPLE = 300;

const textBodies: string[] = [];

function withoutTarget(labels: string): string {
  return labels.replace(/,?zz_target="t"/, '').replace(/^,/, '');
}

/** The merge of `inputs` added in reverse order, each body overwritten as soon as its `add` returns. */
function mergedScribbled(inputs: readonly MergeInput[], to: ExpositionFormat): Buffer {
  const merger = createMerger(to, { keepShare: 1 });
  for (let i = inputs.length - 1; i >= 0; i--) {
    const input = inputs[i] as MergeInput;
    const body = Buffer.from(input.body);
    expect(merger.add({ ...input, body }, i)).toBe(true);
    body.fill('~');
  }
  return Buffer.concat(merger.finish().chunks);
}

function check(body: Buffer, from: ExpositionFormat, to: ExpositionFormat, mutated: boolean): void {
  const inputs: MergeInput[] = [
    {
      body,
      contentType: from === 'openmetrics' ? OM : undefined,
      targetLabels: [['zz_target', 't']],
      honorLabels: false,
    },
    { body: Buffer.from(NEIGHBOUR), contentType: undefined, targetLabels: [], honorLabels: false },
  ];
  const r = mergeExpositions(inputs, to);
  const merged = Buffer.concat(r.chunks);
  expect(mergedScribbled(inputs, to).equals(merged)).toBe(true);
  const out = collect(merged, to);
  expect(out.error).toBeUndefined();
  expect(r.inputs[1]).toMatchObject({ ok: true, samples: 1 });
  expect(out.samples.filter((s) => s.name === 'zz_neighbour_up')).toHaveLength(1);
  if (to === 'text' && textBodies.length < PROMTOOL_SAMPLE && r.inputs[0]?.ok) {
    textBodies.push(merged.toString('latin1'));
  }
  const input = collect(body, from);
  // Unmutated, the body is valid to Prometheus 2.42 (every label spelling included): never refused.
  if (!mutated) expect(input.error).toBeUndefined();
  const [first] = r.inputs;
  if (input.error !== undefined) {
    expect(first?.ok).toBe(false);
    expect(first?.error).toMatch(/^line \d+: /);
    return;
  }
  if (!first?.ok) {
    expect(first?.error).toMatch(/timestamp cannot be written in/);
    return;
  }
  expect(first.conflictsDropped).toBe(0);
  const mine = out.samples
    .filter((s) => s.labels.includes('zz_target="t"'))
    .map((s) => ({ ...s, labels: withoutTarget(s.labels) }));
  // An OpenMetrics sample before 1970 is one Prometheus does not store, and text cannot spell its
  // timestamp: it is left out of text output (input-scan.ts), the rest of the input kept.
  const stored =
    from === 'openmetrics' && to === 'text'
      ? input.samples.filter((s) => s.timestampMs === undefined || s.timestampMs >= 0)
      : input.samples;
  expect(sampleKeys(mine)).toEqual(sampleKeys(stored));
}

const formats = fc.constantFrom<ExpositionFormat>('text', 'openmetrics');
const caseArb = fc
  .tuple(familiesArb, formats, formats, fc.boolean(), textStyleArb)
  .chain(([families, from, to, mutated, style]) => {
    const body = render(families, from, style);
    return fc.tuple(
      mutated ? mutate(body) : fc.constant(Buffer.from(body)),
      fc.constant(from),
      fc.constant(to),
      fc.constant(mutated),
    );
  });

describe('merging generated and mutated expositions', () => {
  it('keeps the merged body valid and every accepted input intact', () => {
    fc.assert(
      fc.property(caseArb, ([body, from, to, mutated]) => {
        check(body, from, to, mutated);
        // Every case is also written as text once, for promtool's sample below.
        if (to !== 'text') check(body, from, 'text', mutated);
      }),
      { numRuns: RUNS },
    );
  });

  it.skipIf(!hasPromtool)('promtool check metrics refuses none of the text bodies', () => {
    expect(promtoolRefusals(textBodies)).toEqual([]);
    console.info(`promtool checked ${textBodies.length} merged text bodies`);
    expect(textBodies.length).toBeGreaterThan(PROMTOOL_SAMPLE / 2);
  });
});
