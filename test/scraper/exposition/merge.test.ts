import { describe, expect, it } from 'vitest';
import {
  type ExpositionFormat,
  type MergeInput,
  mergeExpositions,
} from '../../../scraper/exposition/index.ts';
import { collect, sampleKeys } from './collect.ts';

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function input(body: string, i: number, contentType?: string): MergeInput {
  return {
    body: Buffer.from(body),
    contentType,
    targetLabels: [['cf_instance_number', String(i)]],
    honorLabels: false,
  };
}

function run(inputs: MergeInput[], format: ExpositionFormat) {
  const r = mergeExpositions(inputs, format);
  const text = Buffer.concat(r.chunks).toString('utf8');
  expect(r.bytes).toBe(Buffer.byteLength(text));
  return { ...r, text };
}

/** Family name of each line, to check one HELP/TYPE per family and contiguity. */
function familyBlocks(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.split(' ')[2] as string);
}

describe('merge across inputs', () => {
  it('writes one HELP/TYPE per family and keeps each family contiguous across inputs', () => {
    const a = '# HELP x X help\n# TYPE x gauge\nx 1\n# TYPE y_total counter\ny_total 2\n';
    const b = '# TYPE y_total counter\ny_total 3\n# HELP x other help\n# TYPE x gauge\nx 4\n';
    const { text, inputs } = run([input(a, 0), input(b, 1)], 'text');
    expect(text).toBe(
      [
        '# HELP x X help',
        '# TYPE x gauge',
        'x{cf_instance_number="0"} 1',
        'x{cf_instance_number="1"} 4',
        '# TYPE y_total counter',
        'y_total{cf_instance_number="0"} 2',
        'y_total{cf_instance_number="1"} 3',
        '',
      ].join('\n'),
    );
    expect(inputs).toEqual([
      { ok: true, samples: 2, conflictsDropped: 0 },
      { ok: true, samples: 2, conflictsDropped: 0 },
    ]);
  });

  it('first type wins; the conflicting input’s samples of that family are dropped and counted', () => {
    const a = '# TYPE x gauge\nx 1\n';
    const b = '# TYPE x counter\nx 2\nx{k="v"} 3\n# TYPE z gauge\nz 1\n';
    const { text, inputs } = run([input(a, 0), input(b, 1)], 'text');
    expect(text).not.toContain('x{cf_instance_number="1"');
    expect(text).toContain('z{cf_instance_number="1"} 1');
    expect(inputs[1]).toEqual({ ok: true, samples: 1, conflictsDropped: 2 });
  });

  it('an input that fails anywhere contributes nothing; the others are unaffected', () => {
    const good = '# TYPE x gauge\nx 1\n';
    const bad = '# TYPE x gauge\nx 2\ny{a="b"} oops\n';
    const { text, inputs } = run([input(bad, 0), input(good, 1)], 'text');
    expect(text).toBe('# TYPE x gauge\nx{cf_instance_number="1"} 1\n');
    expect(inputs[0]).toEqual({
      ok: false,
      samples: 0,
      error: 'line 3: invalid value at "oops" in "y{a=\\"b\\"} oops"',
      conflictsDropped: 0,
    });
  });

  it('regroups a family whose samples are interleaved in one input', () => {
    const body = '# TYPE a gauge\na{i="1"} 1\n# TYPE b gauge\nb 1\na{i="2"} 2\n';
    const { text } = run([input(body, 0)], 'text');
    expect(familyBlocks(text)).toEqual(['a', 'b']);
    expect(text.indexOf('a{cf_instance_number="0",i="2"}')).toBeLessThan(text.indexOf('# TYPE b'));
  });

  it('untyped samples without TYPE become untyped families; histogram/summary samples stay with their family', () => {
    const body = [
      'bare 1',
      '# TYPE h histogram',
      'h_bucket{le="1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 3',
      'h_count 2',
      '# TYPE s summary',
      's{quantile="0.5"} 1',
      's_sum 1',
      's_count 1',
      '',
    ].join('\n');
    const { text } = run([input(body, 0), input(body, 1)], 'text');
    expect(familyBlocks(text)).toEqual(['bare', 'h', 's']);
    expect(collect(text, 'text').samples).toHaveLength(16);
  });

  it('accepts the scraper’s synthetic series (inline labels, no target labels)', () => {
    const synthetic = [
      '# HELP promregator_up Whether the instance was scraped.',
      '# TYPE promregator_up gauge',
      'promregator_up{cf_instance_number="0"} 1',
      'promregator_up{cf_instance_number="1"} 0',
      '# TYPE promregator_scrape_duration_seconds gauge',
      'promregator_scrape_duration_seconds{cf_instance_number="0"} 0.012',
      'promregator_scrape_duration_seconds{cf_instance_number="1"} 5',
      '',
    ].join('\n');
    const { text } = run(
      [
        input('up 1\n', 0),
        { body: Buffer.from(synthetic), contentType: undefined, targetLabels: [], honorLabels: false },
      ],
      'openmetrics',
    );
    expect(text).toContain(
      '# TYPE promregator_up gauge\npromregator_up{cf_instance_number="0"} 1\npromregator_up{cf_instance_number="1"} 0\n',
    );
    expect(text.match(/# TYPE promregator_up /g)).toHaveLength(1);
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('first HELP wins, including one that arrives with a later input', () => {
    const { text } = run(
      [input('# TYPE x gauge\nx 1\n', 0), input('# HELP x later\n# TYPE x gauge\nx 2\n', 1)],
      'text',
    );
    expect(text.startsWith('# HELP x later\n# TYPE x gauge\n')).toBe(true);
  });

  it('an empty input list gives an empty text body and a lone # EOF in OpenMetrics', () => {
    expect(run([], 'text').text).toBe('');
    expect(run([], 'openmetrics').text).toBe('# EOF\n');
  });
});

describe('OpenMetrics ↔ text conversion', () => {
  const om = [
    '# TYPE c counter',
    '# UNIT c ',
    '# HELP c Counts \\"things\\" \\\\ here',
    'c_total{a="1"} 5 1520879607.789 # {trace_id="abc"} 1 1520879607.1',
    'c_created{a="1"} 1520000000',
    '# TYPE i info',
    'i_info{version="1.2"} 1',
    '# TYPE st stateset',
    'st{st="a"} 1',
    'st{st="b"} 0',
    '# TYPE gh gaugehistogram',
    'gh_bucket{le="1"} 2',
    'gh_bucket{le="+Inf"} 3',
    'gh_gcount 3',
    'gh_gsum 4',
    '# TYPE u unknown',
    'u NaN',
    '# TYPE h histogram',
    'h_bucket{le="+Inf"} 1 # {id="x"} 0.5',
    'h_sum 0.5',
    'h_count 1',
    'h_created 1520000000.5',
    '# EOF',
    '',
  ].join('\n');

  it('OM → OM keeps exemplars, _created, UNIT and ends with # EOF', () => {
    const { text } = run([input(om, 0, OM)], 'openmetrics');
    expect(text).toContain(
      'c_total{cf_instance_number="0",a="1"} 5 1520879607.789 # {trace_id="abc"} 1 1520879607.1\n',
    );
    expect(text).toContain('c_created{cf_instance_number="0",a="1"} 1520000000\n');
    expect(text).toContain('# UNIT c \n');
    expect(text).toContain('# HELP c Counts \\"things\\" \\\\ here\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(collect(text, 'openmetrics').error).toBeUndefined();
  });

  it('OM → text: counter named by its samples, _created as a gauge family, exemplars dropped, ms timestamps, OM-only types mapped', () => {
    const { text } = run([input(om, 0, OM)], 'text');
    expect(text).toContain('# HELP c_total Counts "things" \\\\ here\n# TYPE c_total counter\n');
    expect(text).toContain('c_total{cf_instance_number="0",a="1"} 5 1520879607789\n');
    // Prometheus 2.x stores OM _created samples as series of their own, so text must keep them.
    expect(text).toContain('# TYPE c_created gauge\nc_created{cf_instance_number="0",a="1"} 1520000000\n');
    expect(text).toContain('# TYPE h_created gauge\nh_created{cf_instance_number="0"} 1520000000.5\n');
    expect(text).not.toContain('trace_id');
    expect(text).not.toContain('# UNIT');
    expect(text).not.toContain('# EOF');
    expect(familyBlocks(text)).toEqual(['c_total', 'c_created', 'i_info', 'st', 'gh', 'u', 'h', 'h_created']);
    expect(text).toContain('# TYPE i_info gauge\n');
    expect(text).toContain('# TYPE st gauge\n');
    expect(text).toContain('# TYPE gh untyped\n');
    expect(text).toContain('# TYPE u untyped\n');
    const fromOm = collect(om, 'openmetrics').samples;
    const merged = collect(text, 'text').samples.map((s) => ({
      ...s,
      labels: s.labels.replace(/,?cf_instance_number="0"/, '').replace(/^,/, ''),
    }));
    expect(sampleKeys(merged)).toEqual(sampleKeys(fromOm));
  });

  it('text → OM: counters gain a family name without _total, or become unknown; seconds timestamps; canonical specials', () => {
    const text = [
      '# HELP req_total Requests "total" \\\\ x',
      '# TYPE req_total counter',
      'req_total 3 1520879607789',
      '# TYPE legacy counter',
      'legacy 7',
      '# TYPE mem_alloc_bytes gauge',
      'mem_alloc_bytes 1',
      '# TYPE mem_alloc_bytes_total counter',
      'mem_alloc_bytes_total 9',
      '# TYPE g gauge',
      'g +inf',
      'g{a="b"} nan',
      'plain 1',
      '',
    ].join('\n');
    const { text: out } = run([input(text, 0)], 'openmetrics');
    expect(out).toContain(
      '# HELP req Requests \\"total\\" \\\\ x\n# TYPE req counter\nreq_total{cf_instance_number="0"} 3 1520879607.789\n',
    );
    expect(out).toContain('# TYPE legacy unknown\nlegacy{cf_instance_number="0"} 7\n');
    expect(out).toContain('# TYPE mem_alloc_bytes gauge\n');
    expect(out).toContain('# TYPE mem_alloc_bytes_total unknown\n');
    expect(out).toContain('g{cf_instance_number="0"} +Inf\n');
    expect(out).toContain('g{cf_instance_number="0",a="b"} NaN\n');
    expect(out).toContain('# TYPE plain unknown\n');
    const back = collect(out, 'openmetrics');
    expect(back.error).toBeUndefined();
    const strip = (s: { labels: string }) =>
      s.labels.replace(/,?cf_instance_number="0"/, '').replace(/^,/, '');
    expect(sampleKeys(back.samples.map((s) => ({ ...s, labels: strip(s) })))).toEqual(
      sampleKeys(collect(text, 'text').samples),
    );
  });

  it('millisecond timestamps survive text → OM → text exactly, including float rounding edge cases', () => {
    const stamps = ['1520879607789', '1', '999', '1000', '1712345678901', '1700000000003', '4102444800007'];
    for (const ts of stamps) {
      const om2 = run([input(`m 1 ${ts}\n`, 0)], 'openmetrics').text;
      const back = collect(om2, 'openmetrics').samples[0]?.timestampMs;
      expect(back, `${ts} → ${om2}`).toBe(Number(ts));
    }
  });

  it('mixes text and OM inputs into one family', () => {
    const t = '# TYPE rpc_total counter\nrpc_total 1\n';
    const o = '# TYPE rpc counter\nrpc_total 2\nrpc_created 1\n# EOF\n';
    for (const format of ['text', 'openmetrics'] as const) {
      const { text, inputs } = run([input(t, 0), input(o, 1, OM)], format);
      // In text, the OM input's rpc_created is a gauge family of its own.
      expect(text.match(/# TYPE /g)).toHaveLength(format === 'text' ? 2 : 1);
      expect(inputs.every((x) => x.ok && x.conflictsDropped === 0)).toBe(true);
      expect(collect(text, format).samples.filter((s) => s.name === 'rpc_total')).toHaveLength(2);
    }
  });
});
