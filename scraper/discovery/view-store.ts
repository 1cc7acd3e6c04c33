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
      return db.transaction(
        async (trx) => {
          const row = await state(trx);
          const rows = (await trx('discovery_apps').select('app_guid', 'facts')) as Array<{
            app_guid: string;
            facts: AppFacts | null;
          }>;
          return fromState(row, new Map(rows.map((r) => [r.app_guid, r.facts])));
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
    },

    /** Rows written after `version`, and the state now. */
    async loadSince(version: number): Promise<LoadedView> {
      return db.transaction(
        async (trx) => {
          const row = await state(trx);
          const rows = (await trx('discovery_apps')
            .where('version', '>', version)
            .select('app_guid', 'facts')) as Array<{ app_guid: string; facts: AppFacts | null }>;
          return fromState(row, new Map(rows.map((r) => [r.app_guid, r.facts])));
        },
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
        const changed = [...change.changed];
        for (let i = 0; i < changed.length; i += ROWS_PER_INSERT) {
          const rows = changed.slice(i, i + ROWS_PER_INSERT).map(([app_guid, facts]) => ({
            app_guid,
            facts: facts === null ? null : JSON.stringify(facts),
            version,
          }));
          await trx('discovery_apps')
            .insert(rows)
            .onConflict('app_guid')
            .merge(['facts', 'version', 'updated_at']);
        }
        if (change.removed.length > 0) {
          await trx('discovery_apps')
            .whereIn('app_guid', [...change.removed])
            .delete();
        }

        // Per-binding outcome, for operators reading the database; instances derive their own.
        const touched = change.kind === 'full' ? undefined : new Set(change.changed.keys());
        const relevant = touched ? targets.filter((t) => touched.has(t.appGuid)) : targets;
        const outcomes = buildView(relevant, change.facts, 0, routeMatchers).targets.map((dt) => ({
          binding_id: dt.target.bindingId,
          app_guid: dt.target.appGuid,
          status: dt.status,
          version,
        }));
        if (change.kind === 'full') await trx('discovery_targets').delete();
        for (let i = 0; i < outcomes.length; i += ROWS_PER_INSERT) {
          await trx('discovery_targets')
            .insert(outcomes.slice(i, i + ROWS_PER_INSERT))
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
