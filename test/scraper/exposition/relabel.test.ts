import { describe, expect, it } from 'vitest';
import { type LabelPair, mergeExpositions } from '../../../scraper/exposition/index.ts';
import { collect } from './collect.ts';

function mergeOne(
  body: string,
  targetLabels: readonly LabelPair[],
  honorLabels = false,
  format: 'text' | 'openmetrics' = 'text',
) {
  const r = mergeExpositions(
    [{ body: Buffer.from(body), contentType: undefined, targetLabels, honorLabels }],
    format,
  );
  return Buffer.concat(r.chunks).toString('utf8');
}

function sampleLine(out: string): string {
  return out.split('\n').find((l) => l !== '' && !l.startsWith('#')) ?? '';
}

describe('relabel: target labels and the exported_ rule', () => {
  const ours: LabelPair[] = [
    ['org_name', 'o'],
    ['app_name', 'a'],
  ];
  const cases: [string, string, boolean, string][] = [
    [
      'no clash: ours first, then the sample’s',
      'm{x="1"} 1\n',
      false,
      'm{org_name="o",app_name="a",x="1"} 1',
    ],
    ['bare sample gets braces', 'm 1\n', false, 'm{org_name="o",app_name="a"} 1'],
    ['empty braces', 'm{} 1\n', false, 'm{org_name="o",app_name="a"} 1'],
    [
      'clash renamed',
      'm{app_name="mine"} 1\n',
      false,
      'm{org_name="o",app_name="a",exported_app_name="mine"} 1',
    ],
    [
      'prefix repeated while taken',
      'm{app_name="x",exported_app_name="y"} 1\n',
      false,
      'm{org_name="o",app_name="a",exported_exported_app_name="x",exported_app_name="y"} 1',
    ],
    [
      'empty clashing value disappears',
      'm{app_name="",x="1"} 1\n',
      false,
      'm{org_name="o",app_name="a",x="1"} 1',
    ],
    [
      'honor_labels: theirs wins, ours dropped',
      'm{app_name="mine",x="1"} 1\n',
      true,
      'm{org_name="o",app_name="mine",x="1"} 1',
    ],
    ['honor_labels without clash', 'm{x="1"} 1\n', true, 'm{org_name="o",app_name="a",x="1"} 1'],
  ];
  it.each(cases)('%s', (_t, body, honor, want) => {
    expect(sampleLine(mergeOne(body, ours, honor))).toBe(want);
  });

  it('shorter clashing names are resolved first, as Prometheus does', () => {
    const out = mergeOne('m{org_name="1",exported_a="2",a="3"} 1\n', [
      ['a', 'A'],
      ['org_name', 'O'],
      ['exported_a', 'E'],
    ]);
    // `a` (shortest) takes exported_exported_a (exported_a is both exposed and ours), then org_name.
    expect(sampleLine(out)).toBe(
      'm{a="A",org_name="O",exported_a="E",exported_org_name="1",exported_exported_exported_a="2",exported_exported_a="3"} 1',
    );
  });

  it('escapes CF names with quotes, backslashes and newlines, and Prometheus reads them back byte for byte', () => {
    const nasty = 'my "org"\\prod\nline2 ✓';
    const out = mergeOne('m 1\n', [['org_name', nasty]]);
    expect(sampleLine(out)).toBe('m{org_name="my \\"org\\"\\\\prod\\nline2 ✓"} 1');
    expect(collect(out, 'text').samples[0]?.labels).toBe(`org_name=${JSON.stringify(nasty)}`);
  });

  it('passes exposed label values through byte for byte, re-escaping only what Prometheus would read literally', () => {
    const out = mergeOne('m{a="x\\\\y\\"z\\n",b="t\\tab"} 1\n', [['org_name', 'o']]);
    expect(sampleLine(out)).toBe('m{org_name="o",a="x\\\\y\\"z\\n",b="t\\\\tab"} 1');
  });

  it('ignores target labels with invalid names rather than writing invalid output', () => {
    const out = mergeOne('m 1\n', [
      ['bad-name', 'x'],
      ['ok', 'y'],
    ]);
    expect(sampleLine(out)).toBe('m{ok="y"} 1');
  });

  it('keeps raw label sections of text samples when writing text (tabs, trailing comma)', () => {
    const out = mergeOne('m{ a="1", } 1\n', [['org_name', 'o']]);
    expect(sampleLine(out)).toBe('m{org_name="o", a="1", } 1');
    expect(collect(out, 'text').samples[0]?.labels).toBe('a="1",org_name="o"');
  });

  it('normalises such sections when writing OpenMetrics', () => {
    const out = mergeOne('m{ a="1", } 1\n', [['org_name', 'o']], false, 'openmetrics');
    expect(sampleLine(out)).toBe('m{org_name="o",a="1"} 1');
  });
});
