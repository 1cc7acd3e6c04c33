// Property: for random valid expositions, parse(write(parse(x))) holds the same samples — names,
// label values byte for byte, values incl. NaN/±Inf, timestamps — in and across both formats.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExpositionFormat,
  escapeLabelValue,
  mergeExpositions,
} from '../../../scraper/exposition/index.ts';
import { collect, sampleKeys } from './collect.ts';

const OM = 'application/openmetrics-text; version=1.0.0';

const nameArb = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/).filter((n) => !n.startsWith('__'));
const metricNameArb = fc
  .stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,15}$/)
  .filter((n) => !/_(total|created|bucket|count|sum|gcount|gsum|info)$/.test(n));
const labelValueArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', '"', '\\', '\n', 'a\\nb', '\\"x\\"', 'C:\\temp\\n'),
);
const valueArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => String(v)),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '0', '-0', '1e-300', '1.5e+300'),
);
const sampleArb = fc.record({
  labels: fc.uniqueArray(fc.tuple(nameArb, labelValueArb), { selector: ([n]) => n, maxLength: 4 }),
  value: valueArb,
  timestampMs: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
});
const familyArb = fc.record({
  kind: fc.constantFrom('gauge', 'counter', 'untyped'),
  help: fc.option(fc.string({ unit: 'grapheme', maxLength: 20 }), { nil: undefined }),
  samples: fc.array(sampleArb, { minLength: 1, maxLength: 4 }),
});
type Family = typeof familyArb extends fc.Arbitrary<infer T> ? T : never;
type Generated = [string[], Family[]];
const expositionArb: fc.Arbitrary<Generated> = fc
  .uniqueArray(metricNameArb, { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(fc.constant(names), fc.array(familyArb, { minLength: names.length, maxLength: names.length })),
  );

function labelsText(labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([n, v]) => `${n}="${escapeLabelValue(v).toString('utf8')}"`).join(',')}}`;
}

function helpText(help: string, format: ExpositionFormat): string {
  const s = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}

/** Renders a generated exposition; samples sharing a label set within a family are deduplicated. */
function render([names, families]: Generated, format: ExpositionFormat): string {
  const lines: string[] = [];
  names.forEach((name, i) => {
    const fam = families[i] as Family;
    const counter = fam.kind === 'counter';
    const typeName = format === 'openmetrics' ? (fam.kind === 'untyped' ? 'unknown' : fam.kind) : fam.kind;
    const family = counter && format === 'text' ? `${name}_total` : name;
    const sampleName = counter ? `${name}_total` : name;
    if (fam.help !== undefined) lines.push(`# HELP ${family} ${helpText(fam.help, format)}`);
    lines.push(`# TYPE ${family} ${typeName}`);
    const seen = new Set<string>();
    for (const s of fam.samples) {
      const ls = labelsText(s.labels);
      if (seen.has(ls)) continue;
      seen.add(ls);
      const value = counter && format === 'openmetrics' && /^-|Inf|NaN/.test(s.value) ? '1' : s.value;
      const ts =
        s.timestampMs === undefined
          ? ''
          : format === 'text'
            ? ` ${s.timestampMs}`
            : ` ${(s.timestampMs / 1000).toFixed(3)}`;
      lines.push(`${sampleName}${ls} ${value}${ts}`);
    }
  });
  if (format === 'openmetrics') lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function roundTrip(body: string, from: ExpositionFormat, to: ExpositionFormat): void {
  const original = collect(body, from);
  expect(original.error).toBeUndefined();
  const r = mergeExpositions(
    [
      {
        body: Buffer.from(body),
        contentType: from === 'openmetrics' ? OM : undefined,
        targetLabels: [],
        honorLabels: false,
      },
    ],
    to,
  );
  expect(r.inputs[0]).toMatchObject({ ok: true, conflictsDropped: 0 });
  const again = collect(Buffer.concat(r.chunks), to);
  expect(again.error).toBeUndefined();
  expect(sampleKeys(again.samples)).toEqual(sampleKeys(original.samples));
  expect(r.inputs[0]?.samples).toBe(original.samples.length);
}

describe('round trip keeps every sample', () => {
  const pairs: [ExpositionFormat, ExpositionFormat][] = [
    ['text', 'text'],
    ['text', 'openmetrics'],
    ['openmetrics', 'openmetrics'],
    ['openmetrics', 'text'],
  ];
  it.each(pairs)('%s → %s', (from, to) => {
    fc.assert(
      fc.property(expositionArb, (x) => roundTrip(render(x, from), from, to)),
      { numRuns: 300 },
    );
  });
});

describe('hostile input', () => {
  const valid = Buffer.from(
    '# HELP m h\n# TYPE m histogram\nm_bucket{le="1",a="x"} 1\nm_bucket{le="+Inf",a="x"} 2\nm_sum 3\nm_count 2\n# TYPE c counter\nc_total 1 1\n# EOF\n',
  );
  const mutated = fc
    .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 3 }))
    .map(([at, byte, cut]) => {
      const b = Buffer.from(valid);
      b[at] = byte;
      return b.subarray(0, b.length - cut);
    });
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
    mutated,
  );

  it('mergeExpositions never throws, and its output always parses back in the format written', () => {
    fc.assert(
      fc.property(
        bytesArb,
        fc.boolean(),
        fc.constantFrom<ExpositionFormat>('text', 'openmetrics'),
        (body, om, to) => {
          const r = mergeExpositions(
            [
              { body, contentType: om ? OM : 'text/plain', targetLabels: [['le', 'x']], honorLabels: false },
              { body: Buffer.from('ok 1\n'), contentType: undefined, targetLabels: [], honorLabels: false },
            ],
            to,
          );
          expect(r.inputs[1]?.ok).toBe(true);
          if (!r.inputs[0]?.ok) expect(r.inputs[0]?.error).toMatch(/^line \d+: /);
          expect(collect(Buffer.concat(r.chunks), to).error).toBeUndefined();
        },
      ),
      { numRuns: 1000 },
    );
  });
});
