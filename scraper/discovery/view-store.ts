import type { Knex } from 'knex';
import type { ScrapeTarget } from '../../common/targets.ts';
import type { AppFacts } from './app-facts.ts';
import { buildView } from './build-view.ts';
import { DiscoveryError } from './errors.ts';
import type { FeedCursor } from './event-feed.ts';
import { createRouteMatchers } from './route-choice.ts';
import type { StoredView, ViewChange } from './types.ts';

export const DISCOVERY_CHANNEL = 'promregator_discovery';

/** What a reader holds: the stored view and the version it reflects. */
export interface LoadedView extends StoredView {
  /** Built for the caller alone: it may keep and change it. */
  facts: Map<string, AppFacts | null>;
  version: number;
  discoverer: string | undefined;
}

interface StateRow {
  version: string | number;
  refreshed_at: string | number;
  events_read_at: string | number;
  feed_cursor: FeedCursor | null;
  feed_up: boolean;
  discoverer: string | null;
}

const ROWS_PER_INSERT = 500;
/** Rows per read: a full load of 10,000 apps never holds all its row objects (and their JSON) at once. */
const ROWS_PER_READ = 1_000;

type Named = { guid: string; name: string };

/**
 * Space and org objects shared by the apps of one load (they come back as one parsed copy per app): at
 * 10,000 apps in 500 spaces, 500 of each instead of 10,000.
 */
function interner() {
  const known = new Map<string, Named>();
  const one = (n: Named | undefined): Named | undefined => {
    if (!n) return n;
    const k = known.get(n.guid);
    if (k?.name === n.name) return k;
    known.set(n.guid, n);
    return n;
  };
  return (facts: AppFacts | null): AppFacts | null => {
    if (facts) {
      facts.space = one(facts.space);
      facts.org = one(facts.org);
    }
    return facts;
  };
}

/** `app_guid, facts` rows matching `where`, read in key order a chunk at a time into one map. */
async function readFacts(
  trx: Knex.Transaction,
  where: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<Map<string, AppFacts | null>> {
  const facts = new Map<string, AppFacts | null>();
  const intern = interner();
  let after: string | undefined;
  for (;;) {
    let q = where(trx('discovery_apps'));
    if (after !== undefined) q = q.where('app_guid', '>', after);
    const rows = (await q.orderBy('app_guid').limit(ROWS_PER_READ).select('app_guid', 'facts')) as Array<{
      app_guid: string;
      facts: AppFacts | null;
    }>;
    for (const r of rows) facts.set(r.app_guid, intern(r.facts));
    if (rows.length < ROWS_PER_READ) return facts;
    after = rows[rows.length - 1]!.app_guid;
  }
}

/**
 * The discovery view in Postgres (migration 003). The discoverer writes each change set in one
 * transaction that first checks it still holds the discoverer lock (fencing: a discoverer that lost its
 * lock connection must not overwrite its successor), then NOTIFYs `version:kind`.
 */
export function createViewStore(db: Knex) {
  const routeMatchers = createRouteMatchers();
  async function state(q: Knex | Knex.Transaction): Promise<StateRow> {
    const row = (await q('discovery_state').where('id', 1).first()) as StateRow | undefined;
    if (!row) throw new DiscoveryError('VIEW_WRITE_FAILED', 'discovery_state row missing');
    return row;
  }

  function fromState(row: StateRow, facts: Map<string, AppFacts | null>): LoadedView {
    return {
      facts,
      version: Number(row.version),
      refreshedAt: Number(row.refreshed_at),
      eventsReadAt: Number(row.events_read_at),
      feed: row.feed_cursor ?? undefined,
      feedUp: row.feed_up,
      discoverer: row.discoverer ?? undefined,
    };
  }

  return {
    /** The whole view. */
    async load(): Promise<LoadedView> {
      return db.transaction(async (trx) => fromState(await state(trx), await readFacts(trx, (q) => q)), {
        isolationLevel: 'repeatable read',
        readOnly: true,
      });
    },

    /** Rows written after `version`, and the state now. */
    async loadSince(version: number): Promise<LoadedView> {
      return db.transaction(
        async (trx) =>
          fromState(await state(trx), await readFacts(trx, (q) => q.where('version', '>', version))),
        { isolationLevel: 'repeatable read', readOnly: true },
      );
    },

    /**
     * One change set in one transaction. `lockPid` is the backend of the connection holding the
     * discoverer lock; `targets` the bound targets now (for the per-binding outcome).
     */
    async write(
      change: ViewChange,
      lockPid: number,
      lockKey: number,
      discoverer: string,
      targets: readonly ScrapeTarget[],
    ): Promise<number> {
      return db.transaction(async (trx) => {
        const held = await trx.raw(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ? AND objsubid = 1
             AND pid = ? AND granted`,
          [lockKey, lockPid],
        );
        if (held.rows.length === 0) {
          throw new DiscoveryError('VIEW_WRITE_FAILED', 'this instance no longer holds the discoverer lock');
        }
        const [updated] = (await trx('discovery_state')
          .where('id', 1)
          .update({
            version: trx.raw('version + 1'),
            refreshed_at: change.refreshedAt,
            events_read_at: change.eventsReadAt,
            feed_cursor: change.feed ? JSON.stringify(change.feed) : null,
            feed_up: change.feedUp,
            discoverer,
            updated_at: trx.fn.now(),
          })
          .returning('version')) as Array<{ version: string | number }>;
        const version = Number(updated?.version);

        // Serialised chunk by chunk: a full discovery's 10,000 apps never sit in memory as JSON at once.
        let rows: Array<{ app_guid: string; facts: string | null; version: number }> = [];
        const insert = async () => {
          if (rows.length === 0) return;
          await trx('discovery_apps')
            .insert(rows)
            .onConflict('app_guid')
            .merge(['facts', 'version', 'updated_at']);
          rows = [];
        };
        for (const [app_guid, facts] of change.changed) {
          rows.push({ app_guid, facts: facts === null ? null : JSON.stringify(facts), version });
          if (rows.length === ROWS_PER_INSERT) await insert();
        }
        await insert();
        if (change.removed.length > 0) {
          await trx('discovery_apps')
            .whereIn('app_guid', [...change.removed])
            .delete();
        }

        // Per-binding outcome, for operators reading the database; instances derive their own. Worked out
        // a chunk of targets at a time: a full discovery does not build a second view of all 10,000.
        const touched = change.kind === 'full' ? undefined : new Set(change.changed.keys());
        const relevant = touched ? targets.filter((t) => touched.has(t.appGuid)) : targets;
        if (change.kind === 'full') await trx('discovery_targets').delete();
        for (let i = 0; i < relevant.length; i += ROWS_PER_INSERT) {
          const chunk = relevant.slice(i, i + ROWS_PER_INSERT);
          const outcomes = buildView(chunk, change.facts, 0, routeMatchers).targets.map((dt) => ({
            binding_id: dt.target.bindingId,
            app_guid: dt.target.appGuid,
            status: dt.status,
            version,
          }));
          if (outcomes.length === 0) continue;
          await trx('discovery_targets')
            .insert(outcomes)
            .onConflict('binding_id')
            .merge(['app_guid', 'status', 'version']);
        }
        await trx.raw('SELECT pg_notify(?, ?)', [DISCOVERY_CHANNEL, `${version}:${change.kind}`]);
        return version;
      });
    },
  };
}

export type ViewStore = ReturnType<typeof createViewStore>;
