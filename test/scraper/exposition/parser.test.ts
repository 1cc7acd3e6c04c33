import { describe, expect, it } from 'vitest';
import { createParser, Entry, MetricType, ValueKind } from '../../../scraper/exposition/index.ts';
import { collect } from './collect.ts';

describe('text 0.0.4 parser: valid lines', () => {
  const cases: [string, string, { name: string; labels: string; value: number; ts?: number }][] = [
    ['bare sample', 'up 1\n', { name: 'up', labels: '', value: 1 }],
    ['labels', 'a{x="1",y="2"} 3\n', { name: 'a', labels: 'x="1",y="2"', value: 3 }],
    [
      'spaces and tabs everywhere',
      '  a { x = "1" ,\ty="2" , }\t 3 \t 17 \n',
      { name: 'a', labels: 'x="1",y="2"', value: 3, ts: 17 },
    ],
    ['no space after braces', 'a{x="1"}3\n', { name: 'a', labels: 'x="1"', value: 3 }],
    ['empty braces', 'a{} 3\n', { name: 'a', labels: '', value: 3 }],
    ['colon in name', 'job:rate:sum 2.5e-3\n', { name: 'job:rate:sum', labels: '', value: 0.0025 }],
    ['timestamp ms', 'a 1 1712345678901\n', { name: 'a', labels: '', value: 1, ts: 1712345678901 }],
    [
      'escapes in value',
      'a{p="C:\\\\x \\"q\\" \\n"} 1\n',
      { name: 'a', labels: 'p="C:\\\\x \\"q\\" \\n"', value: 1 },
    ],
    ['unknown escape stays literal', 'a{p="x\\ty"} 1\n', { name: 'a', labels: 'p="x\\\\ty"', value: 1 }],
    ['utf-8 value', 'a{p="grüß 🙂"} 1\n', { name: 'a', labels: 'p="grüß 🙂"', value: 1 }],
    ['+Inf', 'a +Inf\n', { name: 'a', labels: '', value: Number.POSITIVE_INFINITY }],
    ['-inf lower case', 'a -inf\n', { name: 'a', labels: '', value: Number.NEGATIVE_INFINITY }],
    ['Infinity', 'a Infinity\n', { name: 'a', labels: '', value: Number.POSITIVE_INFINITY }],
    ['.5 and 5.', 'a .5\n', { name: 'a', labels: '', value: 0.5 }],
    ['no final LF', 'a 1', { name: 'a', labels: '', value: 1 }],
  ];
  it.each(cases)('%s', (_title, input, want) => {
    const got = collect(input, 'text');
    expect(got.error).toBeUndefined();
    expect(got.samples).toEqual([
      { name: want.name, labels: want.labels, value: want.value, timestampMs: want.ts },
    ]);
  });

  it('NaN', () => {
    const got = collect('a NaN\n', 'text');
    expect(got.samples[0]?.value).toBeNaN();
  });

  it('HELP, TYPE, free comments and blank lines', () => {
    const p = createParser(
      Buffer.from(
        '# a comment\n\n# HELP m Some \\\\ help\\nnext "quoted"\n# TYPE m counter\nm 1\n#TYPE not meta\n',
      ),
      'text',
    );
    expect(p.next()).toBe(Entry.Comment);
    expect(p.next()).toBe(Entry.Help);
    expect(p.metricName()).toBe('m');
    expect(p.help()).toBe('Some \\ help\nnext "quoted"');
    expect(p.next()).toBe(Entry.Type);
    expect(p.metricType).toBe(MetricType.Counter);
    expect(p.next()).toBe(Entry.Sample);
    expect(p.next()).toBe(Entry.Comment);
    expect(p.next()).toBe(Entry.Eof);
    expect(p.next()).toBe(Entry.Eof);
  });

  it('offsets point into the buffer; strings only on request', () => {
    const buf = Buffer.from('x{a="1"} 2 3\n');
    const p = createParser(buf, 'text');
    expect(p.next()).toBe(Entry.Sample);
    expect(buf.toString('latin1', p.nameStart, p.nameEnd)).toBe('x');
    expect(buf.toString('latin1', p.labelsStart, p.labelsEnd)).toBe('a="1"');
    expect(buf.toString('latin1', p.valueStart, p.valueEnd)).toBe('2');
    expect(p.valueKind).toBe(ValueKind.Number);
    expect(p.labelCount).toBe(1);
    expect(p.timestampMs()).toBe(3);
  });
});

describe('text 0.0.4 parser: invalid input is an error that quotes the bytes', () => {
  const cases: [string, string, RegExp][] = [
    ['bad value', 'ok 1\nm abc\n', /^line 2: invalid value at "abc"/],
    ['missing value', 'm\n', /^line 1: expected value/],
    ['unterminated labels', 'm{a="1" 2\n', /^line 1: expected label name at "2" in "m\{a=/],
    ['bad label name', 'm{1a="x"} 2\n', /^line 1: expected label name at "1a=/],
    ['unquoted value', 'm{a=x} 2\n', /^line 1: expected quoted label value at "x} 2"/],
    ['duplicate label', 'm{a="1",a="2"} 2\n', /duplicate label name "a"/],
    ['bad timestamp', 'm 1 12x\n', /^line 1: invalid timestamp at "12x"/],
    ['float timestamp', 'm 1 1.5\n', /invalid timestamp/],
    ['trailing junk', 'm 1 2 3\n', /unexpected data after timestamp at "3"/],
    ['bad TYPE', '# TYPE m countr\n', /^line 1: invalid metric type at "countr"/],
    ['name starting with digit', '1m 1\n', /^line 1: expected metric name at "1m 1"/],
    ['hex value', 'm 0x10\n', /invalid value at "0x10"/],
    [
      'invalid utf-8',
      Buffer.from([0x6d, 0x7b, 0x61, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]).toString('latin1'),
      /not valid UTF-8/,
    ],
  ];
  it.each(cases)('%s', (_title, input, want) => {
    const got = collect(Buffer.from(input, 'latin1'), 'text');
    expect(got.error).toMatch(want);
  });

  it('quotes at most a short excerpt', () => {
    const got = collect(`m ${'x'.repeat(500)}\n`, 'text');
    expect(got.error?.length).toBeLessThan(120);
  });

  it('stays invalid after an error', () => {
    const p = createParser(Buffer.from('m x\nm 1\n'), 'text');
    expect(p.next()).toBe(Entry.Invalid);
    expect(p.next()).toBe(Entry.Invalid);
  });
});

describe('OpenMetrics 1.0 parser', () => {
  it('reads families, units, exemplars, seconds timestamps', () => {
    const om = [
      '# TYPE foo_seconds counter',
      '# UNIT foo_seconds seconds',
      '# HELP foo_seconds Say \\"hi\\"',
      'foo_seconds_total{a="1"} 17 1520879607.789 # {trace_id="x"} 1.5 1520879607.1',
      'foo_seconds_created{a="1"} 1520000000',
      '# EOF',
      '',
    ].join('\n');
    const p = createParser(Buffer.from(om), 'openmetrics');
    expect(p.next()).toBe(Entry.Type);
    expect(p.metricType).toBe(MetricType.Counter);
    expect(p.next()).toBe(Entry.Unit);
    expect(p.text()).toBe('seconds');
    expect(p.next()).toBe(Entry.Help);
    expect(p.help()).toBe('Say "hi"');
    expect(p.next()).toBe(Entry.Sample);
    expect(p.metricName()).toBe('foo_seconds_total');
    expect(p.timestampMs()).toBe(1520879607789);
    expect(p.exemplar()).toBe('# {trace_id="x"} 1.5 1520879607.1');
    expect(p.next()).toBe(Entry.Sample);
    expect(p.next()).toBe(Entry.Eof);
  });

  const invalid: [string, string, RegExp][] = [
    ['missing # EOF', 'a 1\n', /does not end with "# EOF"/],
    ['data after # EOF', 'a 1\n# EOF\nb 2\n', /unexpected data after "# EOF" at "b 2"/],
    ['blank line', 'a 1\n\n# EOF\n', /^line 2: empty line/],
    ['free comment', '# hello\n# EOF\n', /^line 1: expected HELP, TYPE, UNIT or EOF at "# hello"/],
    ['two spaces', 'a  1\n# EOF\n', /invalid value/],
    ['space in labels', 'a{x = "1"} 1\n# EOF\n', /expected "=" after label name at " = /],
    ['raw LF in label value', 'a{x="1\n"} 1\n# EOF\n', /line break in label value/],
    ['untyped is text only', '# TYPE a untyped\n# EOF\n', /invalid metric type at "untyped"/],
    ['bad exemplar', 'a_total 1 # {x="1"}\n# EOF\n', /expected exemplar value/],
    ['NaN timestamp', 'a 1 NaN\n# EOF\n', /invalid timestamp at "NaN"/],
  ];
  it.each(invalid)('%s', (_title, input, want) => {
    expect(collect(input, 'openmetrics').error).toMatch(want);
  });

  it('accepts all OM types and a missing final LF after # EOF', () => {
    const types = [
      'counter',
      'gauge',
      'histogram',
      'gaugehistogram',
      'summary',
      'info',
      'stateset',
      'unknown',
    ];
    const body = `${types.map((t, i) => `# TYPE m${i} ${t}`).join('\n')}\n# EOF`;
    const got = collect(body, 'openmetrics');
    expect(got.error).toBeUndefined();
    expect([...got.types.values()]).toEqual(types);
  });
});

describe('never throws', () => {
  it('on arbitrary bytes in either format', () => {
    const rnd = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + n * 31) % 256));
    const seeds = [
      Buffer.from('a{b="'),
      Buffer.from('# HELP'),
      Buffer.from('# EOF\n\n'),
      rnd(300),
      Buffer.alloc(0),
    ];
    for (const buf of seeds) {
      for (const format of ['text', 'openmetrics'] as const) {
        const p = createParser(buf, format);
        for (let i = 0; i < 1000; i++) {
          const e = p.next();
          if (e === Entry.Eof || e === Entry.Invalid) break;
        }
      }
    }
  });
});
