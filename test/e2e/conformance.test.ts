import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awaitScrapeRounds,
  type ConformanceStack,
  groupOf,
  JOBS,
  type Row,
  startConformanceStack,
} from '../support/conformance-stack.ts';
import { hasBinary, type PrometheusServer } from '../support/prometheus.ts';
import {
  difference,
  headOutOfStep,
  isSynthetic,
  isTargetSeries,
  maxOverWindow,
  rangeOf,
  type StoredSeries,
  sampleLine,
  storedSeries,
  targetErrors,
} from '../support/stored-samples.ts';
import { CONFORMANCE_INPUTS, SUITE_CATEGORIES } from './conformance-inputs.ts';

const havePrometheus = hasBinary('prometheus');
if (!havePrometheus)
  console.warn('SKIPPED: the conformance test needs the Debian package "prometheus" (.ci/run installs it)');

/** What one Prometheus stored, read once after the scrape rounds. */
interface Snapshot {
  /** Every series of a job over the whole run (explicit timestamps ten minutes back included). */
  series: Record<string, StoredSeries[]>;
  /** Since the scraper was ready: `up` per job by instance; synthetic series by cf_instance_id. */
  up: Record<string, Map<string, number>>;
  promregatorUp: Record<string, Map<string, number>>;
  unparsable: Record<string, Map<string, number>>;
  /** Since the scraper was ready: every failure reason seen, by cf_instance_id (for the report). */
  reasons: Record<string, Map<string, string[]>>;
  errors: Map<string, string>;
  /** Set when the head's max time is far from the clock, so this Prometheus refused what came later. */
  headAhead: string | undefined;
}

const MERGED_JOBS = [JOBS.openmetrics, JOBS.text] as const;

/** The Accept header Prometheus 2.42 sends. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

async function snapshot(prometheus: PrometheusServer, cs: ConformanceStack): Promise<Snapshot> {
  const now = Date.now();
  const whole = (now - cs.startedAt) / 1000 + 900;
  const ready = (now - cs.readyAt) / 1000;
  const snap: Snapshot = {
    series: {},
    up: {},
    promregatorUp: {},
    unparsable: {},
    reasons: {},
    errors: new Map(),
    headAhead: await headOutOfStep(prometheus, now),
  };
  for (const job of [JOBS.direct, ...MERGED_JOBS]) {
    snap.series[job] = await storedSeries(prometheus, `{job="${job}"}`, whole);
    snap.up[job] = await maxOverWindow(prometheus, `up{job="${job}"}`, ready, 'instance');
  }
  for (const job of MERGED_JOBS) {
    snap.promregatorUp[job] = await maxOverWindow(
      prometheus,
      `promregator_up{job="${job}"}`,
      ready,
      'cf_instance_id',
    );
    snap.unparsable[job] = await maxOverWindow(
      prometheus,
      `promregator_scrape_failure{job="${job}",reason="unparsable"}`,
      ready,
      'cf_instance_id',
    );
    snap.reasons[job] = await failureReasons(prometheus, job, ready);
  }
  snap.errors = await targetErrors(prometheus);
  return snap;
}

/** Every `reason` of `promregator_scrape_failure` a job stored within the window, by cf_instance_id. */
async function failureReasons(
  prometheus: PrometheusServer,
  job: string,
  windowSeconds: number,
): Promise<Map<string, string[]>> {
  const result = await prometheus.query(
    `max by (cf_instance_id, reason) (max_over_time(promregator_scrape_failure{job="${job}"}[${rangeOf(windowSeconds)}]))`,
  );
  const reasons = new Map<string, string[]>();
  for (const r of result) {
    const id = r.metric.cf_instance_id ?? '';
    reasons.set(id, [...(reasons.get(id) ?? []), r.metric.reason ?? '']);
  }
  return reasons;
}

/** At most a few lines of a list, and how many more. */
const some = (lines: readonly string[]) =>
  lines.length <= 4
    ? JSON.stringify(lines)
    : `${JSON.stringify(lines.slice(0, 4))} and ${lines.length - 4} more`;

/** Every way the row's three scrapes disagree; empty when the merged endpoint kept its promise. */
function disagreements(row: Row, snap: Snapshot, cs: ConformanceStack): string[] {
  const problems: string[] = snap.headAhead ? [snap.headAhead] : [];
  const name = row.input.name;
  const lines = (job: string, pick: (s: StoredSeries) => boolean, merged: boolean) =>
    (snap.series[job] ?? []).filter(pick).map((s) => sampleLine(s, cs.startedAt, merged));
  const direct = lines(JOBS.direct, (s) => s.labels.instance === name && !isTargetSeries(s), false);
  const directUp = snap.up[JOBS.direct]?.get(name);
  const directError = snap.errors.get(`${JOBS.direct}/${name}`);
  const reference = lines(
    JOBS.direct,
    (s) => s.labels.instance === `reference-${row.neighbourFormat}` && !isTargetSeries(s),
    false,
  );
  const instanceId = `${row.app.guid}:0`;
  const neighbourId = `${row.neighbour.guid}:0`;
  const directSays = `direct up=${directUp}${directError ? ` (${directError})` : ''}, ${direct.length} series`;

  for (const job of MERGED_JOBS) {
    const ofRow = (s: StoredSeries) => s.labels.instance === name && !isSynthetic(s) && !isTargetSeries(s);
    const merged = lines(job, (s) => ofRow(s) && s.labels.cf_instance_id === instanceId, true);
    const targetUp = snap.up[job]?.get(name);
    const targetError = snap.errors.get(`${job}/${name}`);
    if (targetUp !== 1) problems.push(`${job}: the space's scrape failed, up=${targetUp} (${targetError})`);
    const { missing, extra } = difference(direct, merged);
    if (missing.length || extra.length)
      problems.push(`${job}: samples differ (${directSays}); missing ${some(missing)}, extra ${some(extra)}`);
    const promUp = snap.promregatorUp[job]?.get(instanceId);
    const unparsable = snap.unparsable[job]?.get(instanceId) === 1;
    const agrees = directUp === 1 ? promUp === 1 && !unparsable : promUp === 0 && unparsable;
    if (!agrees)
      problems.push(
        `${job}: ${directSays}, but promregator_up=${promUp}, reasons ${JSON.stringify(snap.reasons[job]?.get(instanceId) ?? [])}`,
      );
    const neighbour = lines(job, (s) => ofRow(s) && s.labels.cf_instance_id === neighbourId, true);
    const lost = difference(reference, neighbour);
    if (reference.length === 0 || lost.missing.length || lost.extra.length)
      problems.push(`${job}: neighbour not intact; missing ${some(lost.missing)}, extra ${some(lost.extra)}`);
  }
  return problems;
}

/**
 * The promise of the merged endpoint, checked against a real Prometheus: for every input of the table,
 * what Prometheus stores scraping the instance directly equals what it stores from the merged endpoint,
 * negotiated as OpenMetrics and as text (added labels aside), `up` agrees with `promregator_up` and its
 * reason, and the healthy neighbour in the same space keeps all its samples.
 */
describe.skipIf(!havePrometheus)('merged endpoint against direct scrapes, per input', () => {
  let cs: ConformanceStack;
  // Stops the stack even when its set-up ran out of time and `cs` was never assigned.
  let stopStack: (() => Promise<void>) | undefined;
  const snaps = new Map<PrometheusServer, Snapshot>();
  const verdicts = new Map<string, string[]>();

  beforeAll(async () => {
    cs = await startConformanceStack(CONFORMANCE_INPUTS, (stop) => {
      stopStack = stop;
    });
    const servers = [...cs.prometheus.values()];
    await Promise.all(servers.map((p) => awaitScrapeRounds(p, cs.readyAt, 2)));
    console.info(
      `conformance set-up: two scrape rounds since ready after ${((Date.now() - cs.readyAt) / 1000).toFixed(1)} s`,
    );
    for (const p of servers) snaps.set(p, await snapshot(p, cs));
    // A guard against a hang, not a time goal: each wait inside has its own limit, and on a loaded
    // two-core machine (the whole suite beside it) the set-up has taken from under a minute to over 240 s.
  }, 600_000);

  afterAll(async () => {
    const byCategory = new Map<string, { agree: number; disagree: number }>();
    for (const input of CONFORMANCE_INPUTS) {
      const problems = verdicts.get(input.name);
      if (!problems) continue;
      const key = `${input.suite}/${input.category}`;
      const c = byCategory.get(key) ?? { agree: 0, disagree: 0 };
      if (problems.length) c.disagree++;
      else c.agree++;
      byCategory.set(key, c);
    }
    const totals = [...byCategory.values()].reduce(
      (t, c) => ({ agree: t.agree + c.agree, disagree: t.disagree + c.disagree }),
      { agree: 0, disagree: 0 },
    );
    console.info(
      `conformance: ${byCategory.size} categories, ${totals.agree} inputs agree, ${totals.disagree} disagree`,
    );
    await stopStack?.();
  }, 60_000);

  it('has an input for every category of both suites, and only those', () => {
    for (const [suite, categories] of Object.entries(SUITE_CATEGORIES)) {
      const used = new Set(CONFORMANCE_INPUTS.filter((i) => i.suite === suite).map((i) => i.category));
      expect([...used].sort(), suite).toEqual([...categories].sort());
    }
    expect(new Set(CONFORMANCE_INPUTS.map((i) => i.name)).size).toBe(CONFORMANCE_INPUTS.length);
  });

  it('asks the merged endpoint for OpenMetrics and for text, as the two jobs do', async () => {
    const row = cs.rows[0];
    if (!row) throw new Error('no rows');
    const types: string[] = [];
    for (const kind of ['openmetrics', 'text']) {
      const res = await request(`http://${cs.proxyAddress}/${kind}/${row.spaceGuid}`, {
        headers: { accept: PROMETHEUS_ACCEPT },
      });
      await res.body.dump();
      types.push(String(res.headers['content-type']).split(';')[0] ?? '');
    }
    expect(types).toEqual(['application/openmetrics-text', 'text/plain']);
  });

  for (const input of CONFORMANCE_INPUTS) {
    it(`${input.name} (${input.format})`, () => {
      const row = cs.rows.find((r) => r.input === input);
      if (!row) throw new Error(`no row for ${input.name}`);
      const prometheus = cs.prometheus.get(groupOf(input));
      const snap = prometheus && snaps.get(prometheus);
      if (!snap) throw new Error('no snapshot');
      const problems = disagreements(row, snap, cs);
      verdicts.set(input.name, problems);
      expect(problems).toEqual([]);
    });
  }
});
