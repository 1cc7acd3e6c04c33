import type { DiscoveredInstance, DiscoveredTarget } from '../discovery/types.ts';
import { ChunkPool, dropSpareRecords, type ExpositionFormat } from '../exposition/index.ts';
import { BodyArena } from './body-arena.ts';
import { scrapeBudgetMs } from './deadline.ts';
import type { FairSemaphore } from './fair-semaphore.ts';
import { type FetchDeps, fetchInstance } from './fetch-instance.ts';
import { instanceLabels } from './instance-labels.ts';
import { instanceRequest } from './instance-request.ts';
import { createSpaceMerge, type MergedSpace, type SettledInstance } from './merge-space.ts';
import type { ScrapeRecorder } from './scrape-recorder.ts';
import { Semaphore } from './semaphore.ts';
import { type ScrapeOutcome, type SettledOutcome, settled } from './types.ts';

export interface ScrapeJob {
  target: DiscoveredTarget;
  index: number;
}

export interface ScrapeServiceDeps {
  fetch: FetchDeps;
  /** Shared by every request of the process. */
  /** Process-wide, shared fairly between service instances (tenants). */
  global: FairSemaphore;
  requestConcurrency: number;
  defaults: { defaultTimeoutMs: number; timeoutMarginMs: number };
  /** Explains a failure by the instance's CC state (CRASHED, DOWN…) when available in time. */
  instanceStates?: (appGuid: string) => Promise<readonly DiscoveredInstance[] | undefined>;
  /** Remembers each instance's last outcomes (the dashboard reads them). */
  recorder?: ScrapeRecorder;
  /** Called once per failed instance of every scrape (for the failures-by-reason counter). */
  onFailure?: (reason: string, detail: string | undefined) => void;
  /**
   * Called once per fetched instance with the share of its deadline used when its outcome was in (1 or
   * more: it timed out). The deadline counts from the incoming request, so queueing counts too.
   */
  onDeadlineUse?: (share: number) => void;
  clock?: () => number;
  /**
   * Windows the answers are written through (and bodies' kept bytes), reused across scrapes. Default:
   * one per service.
   */
  pool?: ChunkPool;
  /** Slabs the instance bodies of a scrape are kept in, reused the same way. Default: one per service. */
  bodyPool?: ChunkPool;
  /**
   * Called when a default pool has dropped its chunks after an idle spell; the owner may run a GC, the
   * only thing that returns their memory (nothing else allocates while idle, so no GC would come).
   */
  onPoolTrim?: () => void;
}

/**
 * Windows of the answers: a compressed answer has GZIP_MEMBERS_AT_ONCE in flight, a plain one two
 * (serve-merged.ts). Fresh windows would cost a page fault per 4 KB written.
 */
export const WINDOW_BYTES = 1 << 20;
/** Idle windows a service keeps by default: a few answers in flight at once. */
const DEFAULT_POOL_BYTES = 16 << 20;
/**
 * Idle body slabs kept by default: the bodies of a 200-instance space of ~400 KB each, all read until
 * its answer is written. Scrapes back to back reuse them instead of leaving the last one's to the GC.
 */
const DEFAULT_BODY_POOL_BYTES = 96 << 20;
/**
 * Pooled memory unused this long is given back. Longer than the scrape intervals Prometheus is usually
 * run with (15–30 s), so a space scraped regularly keeps its chunks; shorter than the rest after
 * which idle memory is measured (BENCHMARKS.md, 60 s).
 */
const POOL_IDLE_MS = 45_000;

export interface ScrapeOptions {
  format: ExpositionFormat;
  /** X-Prometheus-Scrape-Timeout-Seconds of the incoming request. */
  prometheusTimeout: string | undefined;
  /**
   * Whether targets are asked for gzip. Inflating ~10x-compressed bodies is most of a scrape's CPU
   * apart from the merge, so it is worth it only where the caller's link is evidently bandwidth-bound,
   * i.e. when the caller accepts gzip itself (Prometheus does by default). Default true.
   */
  targetGzip?: boolean;
}

const ACCEPT = {
  openmetrics: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  // Asking for what the caller wants saves a conversion when the app speaks both.
  text: 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1',
} as const;

/** Budget for asking the CC why instances failed; a slow CC must not hold the answer back. */
const EXPLAIN_BUDGET_MS = 1_000;

export interface ScrapedSpace extends MergedSpace {
  /** Windows to read the answer through (`take`, and `give` once nothing reads one any more). */
  windows: ChunkPool;
}

export interface ScrapeService {
  /**
   * Scrapes every job (bounded concurrency), merges, adds the synthetic series. Never throws for a
   * target. The caller reads the answer through `windows` and calls its `release` (or never, if cut
   * off while a window may still be queued for a socket).
   */
  scrape(jobs: readonly ScrapeJob[], options: ScrapeOptions): Promise<ScrapedSpace>;
}

export function createScrapeService(deps: ScrapeServiceDeps): ScrapeService {
  const clock = deps.clock ?? Date.now;
  // The merges' idle record store goes with the pools (the trim runs once both pools are idle anyway).
  const onTrim = () => {
    dropSpareRecords();
    deps.onPoolTrim?.();
  };
  const idle = { ms: POOL_IDLE_MS, onTrim };
  const pool = deps.pool ?? new ChunkPool(DEFAULT_POOL_BYTES, WINDOW_BYTES, idle);
  const bodyPool = deps.bodyPool ?? new ChunkPool(DEFAULT_BODY_POOL_BYTES, undefined, idle);

  const budgetOf = (job: ScrapeJob, options: ScrapeOptions) =>
    scrapeBudgetMs(options.prometheusTimeout, job.target.target.scrapeTimeoutMs, deps.defaults);

  async function scrapeOne(
    job: ScrapeJob,
    options: ScrapeOptions,
    start: number,
    arena: BodyArena,
  ): Promise<ScrapeOutcome> {
    const req = instanceRequest(job.target, job.index);
    if (!req) return { ok: false, reason: 'no_route', durationMs: 0 };
    const budget = budgetOf(job, options);
    // The deadline counts from the incoming request, so time spent queued for a slot is part of it.
    const outcome = await fetchInstance(
      deps.fetch,
      job.target.target,
      req,
      ACCEPT[options.format],
      start + budget,
      options.targetGzip ?? true,
      arena,
    );
    deps.onDeadlineUse?.((clock() - start) / budget);
    return outcome;
  }

  async function explain(jobs: readonly ScrapeJob[], outcomes: SettledOutcome[]): Promise<void> {
    if (!deps.instanceStates) return;
    const failedApps = new Set<string>();
    jobs.forEach((job, i) => {
      if (!outcomes[i]?.ok && job.target.app) failedApps.add(job.target.app.guid);
    });
    if (failedApps.size === 0) return;
    const states = new Map<string, readonly DiscoveredInstance[]>();
    const lookups = [...failedApps].map(async (guid) => {
      const s = await deps.instanceStates?.(guid).catch(() => undefined);
      if (s) states.set(guid, s);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(lookups),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, EXPLAIN_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (!outcome || outcome.ok || !job.target.app) return;
      const state = states.get(job.target.app.guid)?.find((s) => s.index === job.index)?.state;
      if (state && state !== 'RUNNING') {
        outcomes[i] = { ...outcome, reason: `instance_${state.toLowerCase()}` };
      }
    });
  }

  return {
    async scrape(jobs, options) {
      const start = clock();
      const local = new Semaphore(deps.requestConcurrency);
      const merge = createSpaceMerge(options.format, pool);
      const arena = new BodyArena(bodyPool);
      const labels = jobs.map((job) => instanceLabels(job.target, job.index));
      const instance = <O extends SettledOutcome | ScrapeOutcome>(i: number, outcome: O) => ({
        labels: labels[i] as SettledInstance['labels'],
        honorLabels: (jobs[i] as ScrapeJob).target.target.honorLabels,
        outcome,
      });
      const outcomes: SettledOutcome[] = await Promise.all(
        jobs.map(async (job, i) => {
          const tenant = job.target.target.instanceId;
          const outcome = await local.run(() =>
            deps.global.run(tenant, () => scrapeOne(job, options, start, arena)),
          );
          // Parsed and written now, while the other fetches are still in flight.
          const letGo = merge.arrived(i, instance(i, outcome));
          // Its slab space goes to the next bodies (of this or another space's scrape). The merge may
          // still read it until `finish` (letGo false); nobody else keeps it: only the settled outcome.
          if (outcome.ok && letGo) arena.consumed(outcome.body);
          return settled(outcome);
        }),
      );
      await explain(jobs, outcomes);
      const instances = outcomes.map((outcome, i) => instance(i, outcome));
      const merged = merge.finish(instances);
      if (deps.onFailure) {
        for (const r of merged.reports) if (!r.up) deps.onFailure(r.reason ?? 'unknown', r.detail);
      }
      if (deps.recorder) {
        merged.reports.forEach((r, i) => {
          const job = jobs[i] as ScrapeJob;
          deps.recorder?.record(job.target.target.bindingId, job.index, {
            at: start,
            up: r.up,
            reason: r.reason,
            detail: r.detail,
            durationMs: r.durationSeconds * 1000,
            budgetMs: budgetOf(job, options),
            samples: r.samples,
            families: r.families ?? 0,
            conflicts: r.conflicts ?? 0,
          });
        });
      }
      return {
        ...merged,
        windows: pool,
        release() {
          merged.release();
          // The answer is read: no body is read any more.
          arena.release();
        },
      };
    },
  };
}
