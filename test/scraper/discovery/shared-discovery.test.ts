import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningScraper } from '../../../scraper/app.ts';
import { DISCOVERER_LOCK_KEY } from '../../../scraper/discovery/index.ts';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from '../http/support/scraper-fixture.ts';

// Three scraper instances on one Postgres: one discovers (holds the advisory lock) and writes the view,
// all three serve it. When the discoverer loses its lock connection or stops, another takes over from the
// stored view while every instance keeps answering.

const OTHER_APPS = 12;

describe('one discoverer for several scraper instances', () => {
  let fx: ScraperFixture;
  let scrapers: RunningScraper[];
  let spaceGuid: string;
  let authorization: string;
  let web: string;
  let crashy: string;

  beforeAll(async () => {
    fx = await startScraperFixture();
    scrapers = [fx.scraper, await fx.addReplica(), await fx.addReplica()];
    const keyed = await fx.addKeyedSpace('ha-org', 'ha-space');
    ({ spaceGuid, authorization } = keyed);
    const c = fx.sandbox.control;
    web = c.createApp({ spaceGuid, name: 'web', instances: 2 }).guid;
    crashy = c.createApp({ spaceGuid, name: 'crashy', instances: 2 }).guid;
    await fx.bindApp(keyed.instanceId, web);
    await fx.bindApp(keyed.instanceId, crashy);
    for (let i = 0; i < OTHER_APPS; i++) {
      await fx.bindApp(keyed.instanceId, c.createApp({ spaceGuid, name: `other-${i}` }).guid);
    }
  });
  afterAll(() => fx?.stop());

  const BASE_INSTANCES = 2 + 2 + OTHER_APPS;
  const scrape = (s: RunningScraper) => fx.getAt(s, `/v1/spaces/${spaceGuid}/metrics`, { authorization });
  const upLines = (text: string) => samples(text, 'promregator_up');
  const ofApp = (lines: string[], name: string) => lines.filter((l) => labelOf(l, 'app_name') === name);
  async function gauge(s: RunningScraper, name: string, labels = ''): Promise<number | undefined> {
    const text = (await fx.getAt(s, '/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  const leaders = async (among: RunningScraper[]) => {
    const flags = await Promise.all(among.map((s) => gauge(s, 'promregator_discovery_leader')));
    return among.filter((_, i) => flags[i] === 1);
  };

  it('exactly one instance discovers; all three serve every instance', async () => {
    for (const s of scrapers) {
      await eventually(async () => {
        const res = await scrape(s);
        return res.status === 200 && upLines(res.text).length === BASE_INSTANCES ? true : undefined;
      });
    }
    expect(await leaders(scrapers)).toHaveLength(1);
    // One CC client at work: one root document, one token, for three instances.
    const counts = fx.sandbox.control.requestCounts();
    expect(counts['GET /']).toBe(1);
    expect(counts['POST /oauth/token']).toBe(1);
    const [leader] = await leaders(scrapers);
    await eventually(async () =>
      (await gauge(
        leader!,
        'promregator_cc_requests_total',
        '{endpoint="GET /v3/audit_events",status="200"}',
      ))
        ? true
        : undefined,
    );
    const own = (await fx.getAt(leader!, '/metrics')).text;
    expect(own).toMatch(/^promregator_discovery_event_feed_up 1$/m);
    expect(own).toMatch(/^promregator_discovery_runs_total\{kind="full",outcome="ok"\} 1$/m);
    expect(own).toMatch(/^promregator_discovery_events_read_total \d+$/m);
    expect(own).toMatch(/^promregator_discovery_view_age_seconds \d/m);
  });

  it('the discoverer loses its database connection: another takes over from the stored view, with no gap, and follows a scale and a crash', async () => {
    const [oldLeader] = await leaders(scrapers);
    const oldFulls = await gauge(
      oldLeader!,
      'promregator_discovery_runs_total',
      '{kind="full",outcome="ok"}',
    );
    const answers: Array<{ status: number; instances: number }> = [];
    let running = true;
    const loops = scrapers.map(async (s) => {
      while (running) {
        const res = await scrape(s);
        answers.push({ status: res.status, instances: upLines(res.text).length });
      }
    });

    // Abrupt: the lock connection's backend is killed; Postgres frees the lock with the session.
    const killed = await fx.database.db.raw(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND classid = 0 AND objid = ? AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [DISCOVERER_LOCK_KEY],
    );
    expect(killed.rows).toHaveLength(1);
    fx.sandbox.control.scale(web, 5);
    fx.sandbox.control.crashInstance(crashy, 1);

    const [newLeader] = await eventually(async () => {
      const now = await leaders(scrapers);
      return now.length === 1 ? now : undefined;
    });
    try {
      for (const s of scrapers) {
        await eventually(async () => {
          const text = (await scrape(s)).text;
          const webUp = ofApp(upLines(text), 'web').length;
          // The reason comes from the instance states in the shared view (read after the crash event).
          const failure = ofApp(samples(text, 'promregator_scrape_failure'), 'crashy');
          const reason = failure[0] && labelOf(failure[0], 'reason');
          if (webUp === 5 && failure.length === 1 && reason === 'instance_crashed') return true;
          throw new Error(`web ${webUp}, crashy failures: ${failure.join(' | ')}`);
        });
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status !== 200 || a.instances < BASE_INSTANCES)).toEqual([]);
    // An instance that never discovered answered every scrape, reasons included, without the CC.
    for (const s of scrapers.filter((x) => x !== oldLeader && x !== newLeader)) {
      expect((await fx.getAt(s, '/metrics')).text).not.toContain('promregator_cc_requests_total{');
    }
    // The successor started from the stored view: no full discovery of its own (unless it is the old one).
    if (newLeader !== oldLeader) {
      expect(
        await gauge(newLeader!, 'promregator_discovery_runs_total', '{kind="full",outcome="ok"}'),
      ).toBeUndefined();
    } else {
      expect(await gauge(newLeader!, 'promregator_discovery_runs_total', '{kind="full",outcome="ok"}')).toBe(
        oldFulls,
      );
    }
    fx.sandbox.control.restoreInstance(crashy, 1);
  });

  it('the discoverer stops: one of the others takes over and the view keeps following the foundation', async () => {
    const [leader] = await leaders(scrapers);
    await leader!.close(1_000);
    const rest = scrapers.filter((s) => s !== leader);
    await eventually(async () => ((await leaders(rest)).length === 1 ? true : undefined));
    fx.sandbox.control.scale(web, 3);
    for (const s of rest) {
      await eventually(async () =>
        ofApp(upLines((await scrape(s)).text), 'web').length === 3 ? true : undefined,
      );
    }
  });
});
