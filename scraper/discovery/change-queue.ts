import type { Logger } from '../../common/logging.ts';
import type { StoredView, ViewChange } from './types.ts';

type Kind = ViewChange['kind'];

/**
 * What changed in the discoverer's view since the last successful write, written as current values one
 * write at a time: a failed write stays queued and merges into the next, so nothing is lost and nothing
 * is written twice over.
 */
export function createChangeQueue(deps: {
  persist: ((change: ViewChange) => Promise<void>) | undefined;
  logger: Logger;
  current: () => StoredView;
  stopped: () => boolean;
}) {
  const dirty = new Set<string>();
  let removed: string[] = [];
  let kind: Kind | undefined;
  let flushing: Promise<void> | undefined;
  let again = false;

  async function writeAll(): Promise<void> {
    do {
      again = false;
      const guids = [...dirty];
      const gone = removed;
      const k = kind ?? 'events';
      dirty.clear();
      removed = [];
      kind = undefined;
      const view = deps.current();
      const changed = new Map(guids.map((g) => [g, view.facts.get(g) ?? null] as const));
      try {
        await deps.persist!({ kind: k, changed, removed: gone, ...view });
      } catch (error) {
        for (const g of guids) if (view.facts.has(g)) dirty.add(g);
        removed.push(...gone);
        kind ??= k;
        deps.logger.warn(
          { err: (error as Error).message },
          'discovery: could not store the view, will retry',
        );
        return;
      }
    } while (again && !deps.stopped());
  }

  return {
    /** These apps' facts changed (a full discovery's mark wins over later kinds until written). */
    changed(guids: Iterable<string>, by: Kind): void {
      for (const g of guids) dirty.add(g);
      kind = kind === 'full' ? 'full' : by;
    },
    removed(guid: string): void {
      removed.push(guid);
    },
    /** Writes what is queued (also the feed cursor and times alone); one write at a time. */
    flush(): Promise<void> {
      if (!deps.persist || deps.stopped()) return Promise.resolve();
      if (flushing) {
        again = true;
        return flushing;
      }
      flushing = writeAll().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
    inFlight: (): Promise<void> | undefined => flushing,
  };
}
