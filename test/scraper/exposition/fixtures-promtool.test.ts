// The real fixtures through the whole pipeline; the text output must pass `promtool check metrics`
// with no problem the inputs do not already carry, and hold exactly the inputs' samples.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LabelPair, type MergeInput, mergeExpositions } from '../../../scraper/exposition/index.ts';
import { collect, sampleKeys } from './collect.ts';

const FIXTURES = join(import.meta.dirname, '../../../../shared/fixtures/exposition');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const alltypes = fixture('alltypes.237mfs.prom.txt');
const nodeExporter = fixture('node_exporter.e2e-output.txt');
const om = fixture('alltypes.5mfs.om.txt');
const OM = 'application/openmetrics-text; version=1.0.0';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;
if (!hasPromtool) {
  console.warn(
    'promtool not found: skipping the promtool checks (CI installs it: apt-get install prometheus)',
  );
}

/** promtool's findings, one per line; `error` is set when it could not parse the input at all. */
function checkMetrics(body: Buffer): { problems: Set<string>; error: string | undefined } {
  const r = spawnSync('promtool', ['check', 'metrics'], {
    input: body,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  const error = lines.find((l) => l.startsWith('error while linting'));
  return { problems: new Set(lines), error };
}

function labelsFor(i: number): LabelPair[] {
  return [
    ['org_name', 'org "quoted" \\ back'],
    ['space_name', 'space\nwith newline'],
    ['app_name', `app-${i % 3}`],
    ['cf_instance_id', `0d5c1b2e-7c8a-4f3e-9b6d-2a1f0e9c8b7a:${i}`],
    ['cf_instance_number', String(i)],
  ];
}

function inputs(): MergeInput[] {
  const bodies: [Buffer, string | undefined][] = [
    [alltypes, 'text/plain; version=0.0.4'],
    [nodeExporter, undefined],
    [om, OM],
  ];
  const out: MergeInput[] = [];
  for (let i = 0; i < 6; i++) {
    const [body, contentType] = bodies[i % 3] as [Buffer, string | undefined];
    out.push({ body, contentType, targetLabels: labelsFor(i), honorLabels: i === 4 });
  }
  return out;
}

function withoutOurs(labels: string): string {
  return labels
    .split(/,(?=[a-z_]+=")/)
    .filter((l) => !/^(org_name|space_name|app_name|cf_instance_id|cf_instance_number)=/.test(l))
    .join(',');
}

describe('fixtures through the pipeline', () => {
  it('every input parses, and the merged text holds exactly their samples', () => {
    const r = mergeExpositions(inputs(), 'text');
    expect(r.inputs.map((x) => x.ok)).toEqual([true, true, true, true, true, true]);
    expect(r.inputs.every((x) => x.conflictsDropped === 0)).toBe(true);
    const merged = collect(Buffer.concat(r.chunks), 'text');
    expect(merged.error).toBeUndefined();
    const expected = inputs().flatMap(
      (input) => collect(input.body, input.contentType === OM ? 'openmetrics' : 'text').samples,
    );
    const got = merged.samples.map((s) => ({ ...s, labels: withoutOurs(s.labels) }));
    expect(sampleKeys(got)).toEqual(sampleKeys(expected));
  });

  it('the merged OpenMetrics output parses back with every sample, exemplar and # EOF', () => {
    const r = mergeExpositions(inputs(), 'openmetrics');
    const body = Buffer.concat(r.chunks);
    const merged = collect(body, 'openmetrics');
    expect(merged.error).toBeUndefined();
    const expected = inputs().flatMap(
      (input) => collect(input.body, input.contentType === OM ? 'openmetrics' : 'text').samples,
    );
    expect(merged.samples).toHaveLength(expected.length);
    const exemplars = (b: Buffer) => b.toString().match(/ # \{dummyID="\d+"\}/g)?.length ?? 0;
    expect(exemplars(body)).toBe(2 * exemplars(om));
    expect(exemplars(om)).toBeGreaterThan(0);
    expect(body.toString().endsWith('\n# EOF\n')).toBe(true);
  });

  it.skipIf(!hasPromtool)('promtool check metrics accepts the merged text output of all fixtures', () => {
    const r = mergeExpositions(inputs(), 'text');
    const out = checkMetrics(Buffer.concat(r.chunks));
    expect(out.error).toBeUndefined();
    const carried = new Set([...checkMetrics(alltypes).problems, ...checkMetrics(nodeExporter).problems]);
    // The OM fixture cannot be linted directly (promtool reads text only): its one name-lint is known.
    carried.add("rpc_durations_histogram_seconds metric name should not include type 'histogram'");
    // ... and so does the gauge family its _created samples become in text.
    carried.add("rpc_durations_histogram_seconds_created metric name should not include type 'histogram'");
    const fresh = [...out.problems].filter((p) => !carried.has(p));
    expect(fresh).toEqual([]);
  });

  it.skipIf(!hasPromtool)(
    'promtool accepts OM converted to text on its own, and text with hostile label values',
    () => {
      const fromOm = mergeExpositions(
        [{ body: om, contentType: OM, targetLabels: labelsFor(0), honorLabels: false }],
        'text',
      );
      expect(checkMetrics(Buffer.concat(fromOm.chunks)).error).toBeUndefined();
      const hostile = Buffer.from(
        '# HELP m odd \\t escape\n# TYPE m gauge\nm{a="tab\\tx",b="raw\nnewline"} 1\n',
      );
      const r = mergeExpositions(
        [{ body: hostile, contentType: undefined, targetLabels: labelsFor(1), honorLabels: false }],
        'text',
      );
      expect(r.inputs[0]?.ok).toBe(true);
      expect(checkMetrics(Buffer.concat(r.chunks)).error).toBeUndefined();
    },
  );
});
