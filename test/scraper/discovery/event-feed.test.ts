import { describe, expect, it } from 'vitest';
import type { CloudControllerClient } from '../../../scraper/cf/index.ts';
import { CfError } from '../../../scraper/cf/index.ts';
import { createEventFeed } from '../../../scraper/discovery/event-feed.ts';

// The feed's cursor at second precision: late writes within an already-read second are still read,
// nothing is reported twice, a failed read moves nothing, too much to read is a gap.

interface Ev {
  guid: string;
  created_at: string;
  type: string;
  target: { guid: string; type: string };
}

/** A CC serving /v3/audit_events from a list, with the filters the feed uses. */
function fakeCc(events: Ev[], opts: { fail?: () => boolean } = {}) {
  const paths: string[] = [];
  const cc: CloudControllerClient = {
    async getJson<T>(path: string): Promise<T> {
      paths.push(path);
      if (opts.fail?.()) throw new CfError('CF_HTTP_STATUS', 'GET /v3/audit_events: 403', { status: 403 });
      const q = new URL(path, 'http://cc').searchParams;
      const types = new Set((q.get('types') ?? '').split(','));
      const gte = q.get('created_ats[gte]');
      const gt = q.get('created_ats[gt]');
      let list = events.filter(
        (e) => types.has(e.type) && (!gte || e.created_at >= gte) && (!gt || e.created_at > gt),
      );
      if (q.get('order_by') === '-created_at') list = [...list].reverse();
      const perPage = Number(q.get('per_page') ?? 50);
      const page = Number(q.get('page') ?? 1);
      const pages = Math.max(1, Math.ceil(list.length / perPage));
      q.set('page', String(page + 1));
      return {
        pagination: {
          total_pages: pages,
          next: page < pages ? { href: `http://cc/v3/audit_events?${q}` } : null,
        },
        resources: list.slice((page - 1) * perPage, page * perPage),
      } as T;
    },
    listAll: () => Promise.reject(new Error('not used')),
    close: async () => {},
  };
  return { cc, paths };
}

let n = 0;
const ev = (at: string, app: string, type = 'audit.app.process.scale'): Ev => ({
  guid: `e${++n}`,
  created_at: at,
  type,
  target: { guid: app, type: 'app' },
});

describe('event feed', () => {
  it('marks the newest event and its overlap window as seen, then reports only later events', async () => {
    const events = [ev('2026-12-01T10:00:00Z', 'old'), ev('2026-12-01T10:00:05Z', 'recent')];
    const { cc } = fakeCc(events);
    let now = 0;
    const feed = createEventFeed(cc, { overlapSeconds: 10, perPage: 5000, maxPages: 2, clock: () => now });
    await feed.mark();
    expect(feed.cursor().since).toBe('2026-12-01T10:00:05Z');
    expect((await feed.read()).apps).toEqual(new Set());
    events.push(ev('2026-12-01T10:00:06Z', 'a'));
    now += 1_000;
    const changes = await feed.read();
    expect(changes.apps).toEqual(new Set(['a']));
    expect(changes.events).toBe(1);
  });

  it('reads a late write within an already-read second, and never reports an event twice', async () => {
    const events = [ev('2026-12-01T10:00:00Z', 'first')];
    const { cc } = fakeCc(events);
    let now = 0;
    const feed = createEventFeed(cc, { overlapSeconds: 5, perPage: 5000, maxPages: 2, clock: () => now });
    await feed.mark();
    events.push(ev('2026-12-01T10:00:01Z', 'a'));
    now += 500;
    expect((await feed.read()).apps).toEqual(new Set(['a']));
    // Written after that read, stamped with a second the read already covered (and one before it).
    events.push(ev('2026-12-01T10:00:01Z', 'late-same-second'));
    events.push(ev('2026-12-01T09:59:58Z', 'late-earlier'));
    now += 500;
    expect((await feed.read()).apps).toEqual(new Set(['late-same-second', 'late-earlier']));
    now += 500;
    expect((await feed.read()).events).toBe(0);
  });

  it('once the overlap has passed since the cursor moved, reads only after the cursor', async () => {
    const events = [ev('2026-12-01T10:00:00Z', 'x')];
    const { cc, paths } = fakeCc(events);
    let now = 0;
    const feed = createEventFeed(cc, { overlapSeconds: 5, perPage: 5000, maxPages: 2, clock: () => now });
    await feed.mark();
    now += 7_000;
    await feed.read();
    expect(paths.at(-1)).toContain('created_ats[gt]=2026-12-01T10:00:00Z');
    expect(feed.cursor().seen).toEqual([]);
  });

  it('reports route targets and instance changes apart, and skips unwatched types', async () => {
    const events: Ev[] = [];
    const { cc } = fakeCc(events);
    const feed = createEventFeed(cc, { overlapSeconds: 5, perPage: 5000, maxPages: 2, clock: () => 0 });
    events.push(
      ev('2026-12-01T10:00:00Z', 'crashed', 'audit.app.process.crash'),
      {
        ...ev('2026-12-01T10:00:00Z', 'r1', 'audit.route.delete-request'),
        target: { guid: 'r1', type: 'route' },
      },
      ev('2026-12-01T10:00:00Z', 'ssh', 'audit.app.ssh-authorized'),
    );
    const changes = await feed.read();
    expect(changes.apps).toEqual(new Set(['crashed']));
    expect(changes.instancesChanged).toEqual(new Set(['crashed']));
    expect(changes.routes).toEqual(new Set(['r1']));
  });

  it('a failed read leaves the cursor; too many pages is a gap', async () => {
    const events = [ev('2026-12-01T10:00:00Z', 'x')];
    let failing = false;
    const { cc } = fakeCc(events, { fail: () => failing });
    const feed = createEventFeed(cc, { overlapSeconds: 5, perPage: 2, maxPages: 2, clock: () => 0 });
    await feed.mark();
    const before = feed.cursor();
    failing = true;
    await expect(feed.read()).rejects.toMatchObject({ code: 'FEED_UNAVAILABLE' });
    expect(feed.cursor()).toEqual(before);
    failing = false;
    for (let i = 0; i < 6; i++) events.push(ev('2026-12-01T10:00:02Z', `a${i}`));
    await expect(feed.read()).rejects.toMatchObject({ code: 'FEED_GAP' });
    expect(feed.cursor()).toEqual(before);
  });
});
