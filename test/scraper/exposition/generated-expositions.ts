// Test helper: random valid expositions of every family type, rendered in either format, and random
// byte mutations of them (the bytes the parsers treat specially are drawn most often).
import fc from 'fast-check';
import { type ExpositionFormat, escapeLabelValue } from '../../../scraper/exposition/index.ts';

const KINDS = [
  'counter',
  'gauge',
  'untyped',
  'histogram',
  'summary',
  'info',
  'stateset',
  'gaugehistogram',
] as const;
type Kind = (typeof KINDS)[number];

interface Series {
  labels: [string, string][];
  value: string;
  /** Milliseconds; rendered as ms in text, seconds in OpenMetrics. */
  timestampMs: number | undefined;
  exemplar: boolean;
}
interface Family {
  name: string;
  kind: Kind;
  help: string | undefined;
  unit: boolean;
  created: boolean;
  series: Series[];
}

const nameArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((n) => !n.endsWith('_'));
const labelNameArb = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/)
  .filter((n) => !n.startsWith('__') && !['le', 'quantile', 'zz_target'].includes(n));
const labelValueArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('', '"', '\\', '\n', 'a\\nb', 'x y', '1.5', '+Inf'),
);
const valueArb = fc.oneof(
  fc.integer({ min: -1000, max: 1e9 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '0', '-0', '1e-300', '1.5E+300', '.5', '7.'),
);
const seriesArb: fc.Arbitrary<Series> = fc.record({
  labels: fc.uniqueArray(fc.tuple(labelNameArb, labelValueArb), { selector: ([n]) => n, maxLength: 3 }),
  value: valueArb,
  timestampMs: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
  exemplar: fc.boolean(),
});
const familyArb = (name: string): fc.Arbitrary<Family> =>
  fc.record({
    name: fc.constant(name),
    kind: fc.constantFrom(...KINDS),
    help: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: undefined }),
    unit: fc.boolean(),
    created: fc.boolean(),
    series: fc.array(seriesArb, { minLength: 1, maxLength: 3 }),
  });

export const familiesArb: fc.Arbitrary<Family[]> = fc
  .uniqueArray(nameArb, { minLength: 1, maxLength: 4, selector: (n) => n.replace(/_.*/, '') })
  .chain((names) => fc.tuple(...names.map(familyArb)));

/** How text label sets are spelled: all of these are valid text 0.0.4 to Prometheus 2.42. */
export interface TextStyle {
  /** Between labels: `,`, `, `, ` ` (no comma) or `` (none at all). */
  separator: string;
  trailingComma: boolean;
  /** Blanks around `{`, `=` and `}`. */
  blanks: boolean;
}
const CANONICAL: TextStyle = { separator: ',', trailingComma: false, blanks: false };
export const textStyleArb: fc.Arbitrary<TextStyle> = fc.record({
  separator: fc.constantFrom(',', ', ', ' ', ''),
  trailingComma: fc.boolean(),
  blanks: fc.boolean(),
});

function labelText(labels: readonly (readonly [string, string])[], style: TextStyle = CANONICAL): string {
  if (labels.length === 0) return '';
  const b = style.blanks ? ' ' : '';
  const pairs = labels.map(([n, v]) => `${n}${b}=${b}"${escapeLabelValue(v).toString('utf8')}"`);
  return `${b}{${b}${pairs.join(style.separator)}${style.trailingComma ? ',' : ''}${b}}`;
}

function helpText(help: string, format: ExpositionFormat): string {
  const s = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}

/** Label sets of one family are made distinct, as a valid exposition has them. */
function distinct(series: readonly Series[]): Series[] {
  const seen = new Set<string>();
  return series.filter((s) => {
    const k = labelText(s.labels);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function render(families: readonly Family[], format: ExpositionFormat, style = CANONICAL): string {
  const om = format === 'openmetrics';
  const spelled = om ? CANONICAL : style;
  const lines: string[] = [];
  for (const f of families) {
    const base = om && f.unit ? `${f.name}_seconds` : f.name;
    const counterLike = (v: string) => (/^-|Inf|NaN/.test(v) ? '1' : v);
    const ts = (s: Series) =>
      s.timestampMs === undefined ? '' : om ? ` ${(s.timestampMs / 1000).toFixed(3)}` : ` ${s.timestampMs}`;
    const ex = (s: Series) => (om && s.exemplar ? ` # {trace_id="t${s.value.length}"} 0.5` : '');
    const sample = (name: string, labels: [string, string][], value: string, s: Series, exemplar = '') =>
      lines.push(`${name}${labelText(labels, spelled)} ${value}${ts(s)}${exemplar}`);
    let typeName: string = f.kind;
    let family = base;
    if (!om) {
      if (f.kind === 'counter') family = `${base}_total`;
      if (f.kind === 'info') [typeName, family] = ['gauge', `${base}_info`];
      if (f.kind === 'stateset') typeName = 'gauge';
      if (f.kind === 'gaugehistogram') typeName = 'untyped';
    } else if (f.kind === 'untyped') {
      typeName = 'unknown';
    }
    if (f.help !== undefined) lines.push(`# HELP ${family} ${helpText(f.help, format)}`);
    lines.push(`# TYPE ${family} ${typeName}`);
    if (om && f.unit) lines.push(`# UNIT ${family} seconds`);
    for (const s of distinct(f.series)) {
      switch (f.kind) {
        case 'counter':
          sample(`${base}_total`, s.labels, counterLike(s.value), s, ex(s));
          if (om && f.created) sample(`${base}_created`, s.labels, '1520000000', s);
          break;
        case 'histogram':
        case 'gaugehistogram': {
          const gauge = f.kind === 'gaugehistogram';
          sample(`${base}_bucket`, [...s.labels, ['le', '0.5']], '1', s, ex(s));
          sample(`${base}_bucket`, [...s.labels, ['le', '+Inf']], '2', s);
          sample(`${base}_${gauge ? 'gcount' : 'count'}`, s.labels, '2', s);
          sample(`${base}_${gauge ? 'gsum' : 'sum'}`, s.labels, counterLike(s.value), s);
          if (om && f.created && !gauge) sample(`${base}_created`, s.labels, '1520000000', s);
          break;
        }
        case 'summary':
          sample(base, [...s.labels, ['quantile', '0.5']], s.value, s);
          sample(`${base}_count`, s.labels, '3', s);
          sample(`${base}_sum`, s.labels, counterLike(s.value), s);
          break;
        case 'info':
          sample(`${base}_info`, s.labels, '1', s);
          break;
        case 'stateset':
          sample(base, [...s.labels.filter(([n]) => n !== base), [base, 'on']], '1', s);
          break;
        default:
          sample(base, s.labels, s.value, s);
      }
    }
  }
  if (om) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Bytes with a meaning somewhere in either grammar, plus a few that have none. */
const SPECIAL = [0, 9, 10, 13, 32, 34, 35, 43, 44, 45, 46, 48, 49, 58, 61, 92, 95, 101, 123, 125, 0x80, 0xff];
const byteArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.integer({ min: 0, max: 255 }));

/** 1-3 replacements, insertions or deletions at random offsets. */
export function mutate(body: string): fc.Arbitrary<Buffer> {
  const src = Buffer.from(body);
  const edit = fc.tuple(fc.constantFrom('replace', 'insert', 'delete'), fc.nat(), byteArb);
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let b = src;
    for (const [kind, at, byte] of edits) {
      const i = at % Math.max(b.length, 1);
      if (kind === 'replace') {
        b = Buffer.from(b);
        b[i] = byte;
      } else if (kind === 'insert') {
        b = Buffer.concat([b.subarray(0, i), Buffer.of(byte), b.subarray(i)]);
      } else {
        b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      }
    }
    return b;
  });
}
