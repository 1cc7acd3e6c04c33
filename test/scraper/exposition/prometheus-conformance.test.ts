// The parsers refuse exactly what Prometheus 2.42 refuses (prometheus-cases.ts), and what it accepts
// passes through a merge with a healthy neighbour sample for sample, in both output formats.
import { describe, expect, it } from 'vitest';
import { type ExpositionFormat, mergeExpositions } from '../../../scraper/exposition/index.ts';
import { collect, sampleKeys } from './collect.ts';
import { PROMETHEUS_CASES } from './prometheus-cases.ts';
import { hasPromtool, promtoolRefusals } from './promtool.ts';

const OM = 'application/openmetrics-text; version=1.0.0';
const NEIGHBOUR = '# TYPE ok gauge\nok 1\n';

describe('parsers agree with Prometheus 2.42', () => {
  it.each(PROMETHEUS_CASES.map((c) => [c.format, c.title, c] as const))('%s: %s', (_f, _t, c) => {
    const got = collect(Buffer.from(c.body, 'latin1'), c.format);
    if (c.want === 'refused') {
      expect(got.error).toMatch(/^line \d+: /);
    } else {
      expect(got.error).toBeUndefined();
      expect(sampleKeys(got.samples)).toEqual([...c.want].sort());
    }
  });
});

const textOutputs: string[] = [];

describe('what Prometheus accepts passes a merge; what it refuses fails that input only', () => {
  const outputs: ExpositionFormat[] = ['text', 'openmetrics'];
  const rows = PROMETHEUS_CASES.flatMap((c) => outputs.map((to) => [c.format, to, c.title, c] as const));
  it.each(rows)('%s → %s: %s', (_from, to, _title, c) => {
    const r = mergeExpositions(
      [
        {
          body: Buffer.from(c.body, 'latin1'),
          contentType: c.format === 'openmetrics' ? OM : undefined,
          targetLabels: [['instance_id', 'x']],
          honorLabels: false,
        },
        { body: Buffer.from(NEIGHBOUR), contentType: undefined, targetLabels: [], honorLabels: false },
      ],
      to,
    );
    const body = Buffer.concat(r.chunks);
    if (to === 'text') textOutputs.push(body.toString('latin1'));
    const out = collect(body, to);
    expect(out.error).toBeUndefined();
    expect(r.inputs[1]?.ok).toBe(true);
    expect(out.samples.some((s) => s.name === 'ok')).toBe(true);
    const [first] = r.inputs;
    if (c.want === 'refused') {
      expect(first?.ok).toBe(false);
      expect(first?.error).toMatch(/^line \d+: .* at ".*/);
      return;
    }
    const expected = c.want;
    if (!first?.ok) {
      // Only a timestamp the output format cannot spell may cost the input: text has no negative
      // ones, and past 2^53 ms not every integer is a product of OpenMetrics seconds.
      expect(first?.error).toMatch(/timestamp cannot be written in/);
      const ts = expected.map((k) => Number(k.split(' ').pop()));
      expect(ts.some((t) => (to === 'text' ? t < 0 : t > 2 ** 53))).toBe(true);
      return;
    }
    expect(first.conflictsDropped).toBe(0);
    const mine = out.samples
      .filter((s) => s.labels.includes('instance_id="x"'))
      .map((s) => ({ ...s, labels: s.labels.replace(/,?instance_id="x"/, '').replace(/^,/, '') }));
    expect(sampleKeys(mine)).toEqual([...expected].sort());
  });

  it.skipIf(!hasPromtool)('promtool check metrics refuses none of the text outputs', () => {
    expect(textOutputs.length).toBeGreaterThan(0);
    expect(promtoolRefusals(textOutputs)).toEqual([]);
  });
});
