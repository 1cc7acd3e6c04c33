import type { Knex } from '../../common/db/connect.ts';

export type ResourceKind = 'instance' | 'binding';

/** Remembers deleted ids, so last_operation answers 410 (gone) rather than 404 (never seen). */
export async function addTombstones(
  trx: Knex.Transaction,
  kind: ResourceKind,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await trx('deleted_resources')
    .insert(ids.map((id) => ({ kind, id })))
    .onConflict(['kind', 'id'])
    .merge({ deleted_at: trx.fn.now() });
}

export async function hasTombstone(db: Knex, kind: ResourceKind, id: string): Promise<boolean> {
  return (await db('deleted_resources').where({ kind, id }).first('id')) !== undefined;
}
