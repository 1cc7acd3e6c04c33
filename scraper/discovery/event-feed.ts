import type { CloudControllerClient } from '../cf/types.ts';
import { DiscoveryError } from './errors.ts';

/**
 * Audit event types that change what a scraper sees (CLOUD_FOUNDRY.md "Audit events"). Anything else
 * (env updates, SSH, package uploads) is not read at all.
 */
export const WATCHED_EVENT_TYPES = [
  'audit.app.start',
  'audit.app.stop',
  'audit.app.restart',
  'audit.app.update',
  'audit.app.delete-request',
  'audit.app.map-route',
  'audit.app.unmap-route',
  'audit.app.process.scale',
  'audit.app.process.update',
  'audit.app.process.crash',
  'audit.app.process.rescheduling',
  'audit.app.deployment.create',
  'audit.app.deployment.cancel',
  'audit.route.update',
  'audit.route.delete-request',
] as const;

/** Events after which instance states (process stats) are worth one request: an instance went away. */
const STATE_EVENTS = new Set(['audit.app.process.crash', 'audit.app.process.rescheduling']);

/** Where the feed stands: stored with the shared view, so a new discoverer continues from here. */
export interface FeedCursor {
  /** created_at (second precision) of the newest event read; undefined before any event was seen. */
  since: string | undefined;
  /** Guids of the events read within the overlap window before `since`: they come back and are skipped. */
  seen: string[];
}

export interface FeedChanges {
  /** Apps named as the target of an event. */
  apps: Set<string>;
  /** Apps one of whose instances crashed or was rescheduled. */
  instancesChanged: Set<string>;
  /** Routes named as the target of an event (their apps are looked up in the view). */
  routes: Set<string>;
  /** New events (after de-duplication). */
  events: number;
  /** Requests this read cost. */
  requests: number;
}

export interface EventFeedOptions {
  /** How far before `since` each read starts again: late writes within a second, clock skew between CC VMs. */
  overlapSeconds: number;
  perPage: number;
  /** More pages than this is a gap (a long outage, a mass restage): a full discovery is cheaper. */
  maxPages: number;
  clock?: () => number;
}

interface WireEvent {
  guid?: string;
  created_at?: string;
  type?: string;
  target?: { guid?: string; type?: string };
}
interface WirePage {
  resources?: WireEvent[];
  pagination?: { total_pages?: number; next?: { href?: string } | null };
}

const TYPES = WATCHED_EVENT_TYPES.join(',');

/**
 * Reads the audit event feed incrementally: `created_ats[gte]` the cursor minus the overlap, ordered by
 * created_at, de-duplicated by event guid. Throws DiscoveryError on any failure (the caller falls back to
 * a full discovery): FEED_UNAVAILABLE for CC errors (403 included), FEED_GAP for too much to read.
 */
export function createEventFeed(cc: CloudControllerClient, options: EventFeedOptions) {
  const clock = options.clock ?? Date.now;
  let since: string | undefined;
  /**
   * Local clock time at which `since` was last seen to move. A late write lands within the overlap of its
   * own created_at, which lies before this moment: once the overlap has passed here, nothing at or
   * before `since` can still appear, and reads go back to `created_ats[gt]=since` (no cross-clock
   * comparison involved). Keeps a quiet feed after a burst from re-reading the burst every time.
   */
  let sinceSeenAt = 0;
  /** guid → created_at, pruned to the overlap window. */
  let seen = new Map<string, string>();

  function settled(): boolean {
    // + 1 s: events of the same second as `since` may have been created after we saw it.
    return clock() - sinceSeenAt > (options.overlapSeconds + 1) * 1000;
  }

  /** The lower bound of the next read as a query parameter, or '' for the whole feed. */
  function lowerBound(): string {
    if (since === undefined) return '';
    if (settled()) return `&created_ats[gt]=${since}`;
    return `&created_ats[gte]=${secondsIso(Date.parse(since) - options.overlapSeconds * 1000)}`;
  }

  function prune(): void {
    if (since === undefined) return;
    if (settled()) {
      seen.clear();
      return;
    }
    const start = secondsIso(Date.parse(since) - options.overlapSeconds * 1000);
    for (const [guid, at] of seen) if (at < start) seen.delete(guid);
  }

  async function page(path: string): Promise<WirePage> {
    try {
      return await cc.getJson<WirePage>(path);
    } catch (error) {
      throw new DiscoveryError('FEED_UNAVAILABLE', `audit events: ${(error as Error).message}`, error);
    }
  }

  const feed = {
    cursor(): FeedCursor {
      return { since, seen: [...seen.keys()] };
    },
    restore(cursor: FeedCursor): void {
      since = cursor.since;
      // When the stored cursor last moved is not known here: assume just now (overlap in force once).
      sinceSeenAt = clock();
      seen = new Map(cursor.seen.map((g) => [g, since ?? '']));
    },
    /**
     * Before a full discovery: the cursor moves to the newest event now, so whatever happens during the
     * full discovery is read afterwards (at worst twice, never missed). One request.
     */
    /**
     * Before a full discovery: the cursor moves to the newest event now, and every event of the overlap
     * window before it counts as seen (the full discovery covers them), so the first read afterwards
     * re-reads nothing the full discovery has just read; whatever happens during it is read afterwards
     * (at worst twice, never missed). Two requests, or more on a foundation busy within the window.
     */
    async mark(): Promise<void> {
      const body = await page(`/v3/audit_events?types=${TYPES}&order_by=-created_at&per_page=1`);
      const newest = body.resources?.[0]?.created_at;
      seen = new Map();
      if (newest === undefined) return; // an empty feed: the first read starts at the beginning
      since = newest;
      sinceSeenAt = clock();
      await feed.read();
    },
    async read(): Promise<FeedChanges> {
      const changes: FeedChanges = {
        apps: new Set(),
        instancesChanged: new Set(),
        routes: new Set(),
        events: 0,
        requests: 0,
      };
      const bound = lowerBound();
      let path: string | undefined =
        `/v3/audit_events?types=${TYPES}${bound}&order_by=created_at&per_page=${options.perPage}`;
      let newest = since;
      const fresh: Array<[string, string]> = [];
      for (let n = 0; path !== undefined; n++) {
        const body = await page(path);
        changes.requests++;
        if (n === 0 && (body.pagination?.total_pages ?? 1) > options.maxPages) {
          throw new DiscoveryError(
            'FEED_GAP',
            `audit events: ${body.pagination?.total_pages} pages since ${since ?? 'the beginning'}`,
          );
        }
        for (const e of body.resources ?? []) {
          if (!e.guid || !e.created_at || seen.has(e.guid)) continue;
          fresh.push([e.guid, e.created_at]);
          changes.events++;
          if (newest === undefined || e.created_at > newest) newest = e.created_at;
          const target = e.target?.guid;
          if (!target) continue;
          if (e.target?.type === 'route') changes.routes.add(target);
          else {
            changes.apps.add(target);
            if (e.type && STATE_EVENTS.has(e.type)) changes.instancesChanged.add(target);
          }
        }
        const next = body.pagination?.next?.href;
        path = typeof next === 'string' && next !== '' ? relative(next) : undefined;
      }
      // Only a complete read moves the cursor: a failure above leaves it, and the next read repeats.
      for (const [guid, at] of fresh) seen.set(guid, at);
      if (fresh.length > 0) sinceSeenAt = clock();
      since = newest;
      prune();
      return changes;
    },
  };
  return feed;
}

export type EventFeed = ReturnType<typeof createEventFeed>;

function relative(href: string): string {
  const url = new URL(href, 'http://cc.invalid');
  return `${url.pathname}${url.search}`;
}

function secondsIso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
