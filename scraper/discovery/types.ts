import type { Counter, Gauge } from 'prom-client';
import type { ScrapeTarget } from '../../common/targets.ts';
import type { AppFacts } from './app-facts.ts';
import type { FeedCursor } from './event-feed.ts';

export type InstanceState = 'RUNNING' | 'CRASHED' | 'STARTING' | 'DOWN' | 'STOPPING' | 'UNKNOWN';

export interface DiscoveredInstance {
  index: number;
  state: InstanceState;
}

/**
 * Why a target is or is not scraped. Only `scrapable` targets are scraped; the others are reported.
 * - `app-stopped`: the app's desired state is STOPPED.
 * - `no-route`: the app has no usable route (none, or only tcp/internal routes and no `route` parameter).
 * - `route-not-matched`: the binding's `route` parameter matches none of the app's routes.
 * - `app-not-found`: the CC does not know the app (deleted, or invisible to our user).
 */
export type TargetStatus = 'scrapable' | 'app-stopped' | 'no-route' | 'route-not-matched' | 'app-not-found';

export interface ChosenRoute {
  /** Full hostname (`host.domain`, or the domain alone for an empty host). */
  host: string;
  /** Path prefix: '' or '/x'. */
  path: string;
  /** On an internal domain (`apps.internal`): scraped container-to-container, `i.<host>:<port>`. */
  internal: boolean;
  /** The app's port on the route's destination; set for internal routes (default 8080). */
  port?: number;
}

export interface DiscoveredTarget {
  target: ScrapeTarget;
  status: TargetStatus;
  app: { guid: string; name: string; state: 'STARTED' | 'STOPPED' } | undefined;
  space: { guid: string; name: string } | undefined;
  org: { guid: string; name: string } | undefined;
  route: ChosenRoute | undefined;
  /** Desired instance count of the web process (0 when unknown). */
  instances: number;
}

export interface DiscoveryView {
  /** One entry per app binding known to the CC lookup, in binding order. */
  targets: readonly DiscoveredTarget[];
  /** By the app's real space guid (from the CC); app-not-found targets are absent here. */
  bySpace: ReadonlyMap<string, readonly DiscoveredTarget[]>;
  /** Clock time of the last successful full discovery (0 before the first). */
  refreshedAt: number;
}

export interface Discovery {
  /** First full discovery. Does not throw when the CC is down: the view stays empty and hasRun() false. */
  start(): Promise<void>;
  /** Never blocks: the current view; starts a background refresh when it is older than the TTL. */
  view(): DiscoveryView;
  /** At least one successful discovery. */
  hasRun(): boolean;
  /** Instance states from process stats (cached for a few seconds; one CC call per app): to explain a failed scrape. */
  instanceStates(appGuid: string): Promise<readonly DiscoveredInstance[] | undefined>;
  stop(): Promise<void>;
}

export interface DiscoveryMetrics {
  /** Discovery runs by kind (`full`, `incremental` for new bindings, `events`) and outcome (`ok`/`error`). */
  runs: Counter<'kind' | 'outcome'>;
  /** Age of the served view in seconds, set on every view() call. */
  viewAgeSeconds?: Gauge;
  /** New audit events read. */
  eventsRead?: Counter;
  /** 1 while the event feed is read, 0 while the TTL refresh stands in for it. */
  feedUp?: Gauge;
  /** 1 on the instance that discovers, 0 on those serving its view. */
  leader?: Gauge;
}

/** A discovery view as stored between discoverers. */
export interface StoredView {
  /** null: the CC did not know the app. */
  facts: ReadonlyMap<string, AppFacts | null>;
  /** Clock time of the last successful full discovery. */
  refreshedAt: number;
  /** Clock time of the last complete read of the event feed (0: none). */
  eventsReadAt: number;
  feed: FeedCursor | undefined;
  feedUp: boolean;
}

/** What one discovery step changed, with the state after it. */
export interface ViewChange extends StoredView {
  kind: 'full' | 'incremental' | 'events';
  /** Current facts of the apps this step (or an earlier unwritten one) looked up. */
  changed: ReadonlyMap<string, AppFacts | null>;
  /** Apps no longer bound (dropped by a full discovery). */
  removed: readonly string[];
}

/** The discoverer itself (what a single instance runs). */
export interface DiscoveryEngine extends Discovery {
  feedUp(): boolean;
  stored(): StoredView;
}
