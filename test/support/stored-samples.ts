import { request } from 'undici';
import type { PrometheusServer } from './prometheus.ts';

/** One stored series: its labels and the last sample stored for it. */
export interface StoredSeries {
  labels: Record<string, string>;
  /** Epoch ms of the last sample. */
  timestamp: number;
  /** As Prometheus's API spells it: exact for every float, "NaN", "+Inf", "-Inf". */
  value: string;
}

/** The raw samples of `selector` over the last `windowSeconds` (stale markers excluded), last one per series. */
export async function storedSeries(
  prometheus: PrometheusServer,
  selector: string,
  windowSeconds: number,
): Promise<StoredSeries[]> {
  const query = `${selector}[${Math.max(1, Math.ceil(windowSeconds))}s]`;
  const res = await request(`${prometheus.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query }).toString(),
  });
  const body = (await res.body.json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success' || !body.data) throw new Error(`query ${query}: ${body.error}`);
  return body.data.result.flatMap((r) => {
    const last = r.values.at(-1);
    return last ? [{ labels: r.metric, timestamp: Math.round(last[0] * 1000), value: last[1] }] : [];
  });
}

/** Prometheus's own series for each target: not in any body, so never compared. */
const TARGET_SERIES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

/** The labels the merged endpoint adds to every sample of an instance. */
const ADDED_LABELS = ['org_name', 'space_name', 'app_name', 'cf_instance_id', 'cf_instance_number'];

export function isTargetSeries(s: StoredSeries): boolean {
  return TARGET_SERIES.has(s.labels.__name__ ?? '');
}

export function isSynthetic(s: StoredSeries): boolean {
  return (s.labels.__name__ ?? '').startsWith('promregator_');
}

/**
 * A series as a comparable line: labels sorted, Prometheus's target labels (and, through the scraper, the
 * added ones) left out, the value, and the timestamp only where the body set one. A timestamp before the
 * run started can only come from the body; a later one is the scrape's own and differs between jobs.
 */
export function sampleLine(s: StoredSeries, startedAt: number, merged: boolean): string {
  const drop = new Set(['job', 'instance', ...(merged ? ADDED_LABELS : [])]);
  const labels = Object.entries(s.labels)
    .filter(([k]) => !drop.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  const at = s.timestamp < startedAt ? ` @${s.timestamp}` : '';
  return `{${labels}} ${s.value}${at}`;
}

/** What is in one list and not the other, both sorted. */
export function difference(expected: readonly string[], actual: readonly string[]) {
  const a = new Set(actual);
  const e = new Set(expected);
  return {
    missing: expected.filter((l) => !a.has(l)).sort(),
    extra: actual.filter((l) => !e.has(l)).sort(),
  };
}

/**
 * A PromQL range of `windowSeconds`, in whole milliseconds rounded down: it must not reach back before
 * the moment it stands for.
 */
export function rangeOf(windowSeconds: number): string {
  return `${Math.max(1, Math.floor(windowSeconds * 1000))}ms`;
}

/** `max_over_time(selector[window])` per series, keyed by `keyLabel`'s value; the window ends now. */
export async function maxOverWindow(
  prometheus: PrometheusServer,
  selector: string,
  windowSeconds: number,
  keyLabel: string,
): Promise<Map<string, number>> {
  const result = await prometheus.query(`max_over_time(${selector}[${rangeOf(windowSeconds)}])`);
  return new Map(result.map((r) => [r.metric[keyLabel] ?? '', Number(r.value[1])]));
}

/** Each active target's last error (empty when its last scrape succeeded), by `job` and `instance`. */
export async function targetErrors(prometheus: PrometheusServer): Promise<Map<string, string>> {
  const res = await request(`${prometheus.url}/api/v1/targets?state=active`);
  const body = (await res.body.json()) as {
    data: { activeTargets: Array<{ labels: Record<string, string>; lastError: string }> };
  };
  return new Map(body.data.activeTargets.map((t) => [`${t.labels.job}/${t.labels.instance}`, t.lastError]));
}

/**
 * Prometheus's head refuses every sample older than an hour before its newest one: once a sample far
 * in the future got in (or the head started at a sample far in the past), `up` included, nothing else
 * that Prometheus stored can be compared. Says so and names the series at the head's max time, or
 * undefined while that time is near the clock.
 */
export async function headOutOfStep(prometheus: PrometheusServer, now: number): Promise<string | undefined> {
  const res = await request(`${prometheus.url}/metrics`);
  const text = await res.body.text();
  const line = text.split('\n').find((l) => l.startsWith('prometheus_tsdb_head_max_time '));
  const maxTime = Number(line?.split(' ')[1]);
  if (maxTime > now - 3_600_000 && maxTime < now + 600_000) return undefined;
  const at =
    Number.isFinite(maxTime) && Math.abs(maxTime) < 8.64e15
      ? new Date(maxTime).toISOString()
      : 'out of range';
  const culprits = await prometheus.query(`{__name__!=""} @ ${maxTime / 1000}`).catch(() => []);
  const who = culprits.map((c) => JSON.stringify(c.metric)).join(', ');
  return `Prometheus's head max time is ${maxTime} ms (${at})${who ? `, set by ${who}` : ''}: later samples are out of bounds`;
}
