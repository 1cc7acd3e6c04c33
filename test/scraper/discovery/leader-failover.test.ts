import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKeys } from '../../../common/secrets.ts';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { eventually } from '../../support/eventually.ts';
import { type KeyedSpace, seedKeyedSpace } from '../../support/keyed-space.ts';
import { type ScraperProcess, spawnScraper } from '../../support/scraper-process.ts';
import { ENV_DEFAULTS, scraperEnv } from '../http/support/scraper-fixture.ts';

const RUN_MS = 30_000;

/** `cf_instance_id` → promregator_up value, as one scraper serves the space; undefined when refused. */
async function upByInstance(
  scraper: ScraperProcess,
  space: KeyedSpace,
): Promise<Map<string, string> | undefined> {
  const res = await request(`${scraper.url}/v1/spaces/${space.spaceGuid}/metrics`, {
    headers: { authorization: space.authorization },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) return undefined;
  const up = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^promregator_up\{.*cf_instance_id="([^"]+)".*\} (\d)$/.exec(line);
    if (m) up.set(m[1]!, m[2]!);
  }
  return up;
}

async function isLeader(scraper: ScraperProcess): Promise<boolean> {
  const res = await request(`${scraper.url}/metrics`);
  return /^promregator_discovery_leader 1$/m.test(await res.body.text());
}

// Three scraper processes on one Postgres. The discoverer is killed with SIGKILL (a crashed container:
// its lock goes when its connection does) while an app scales and an instance crashes; the others serve
// every request of a 30 s run from the shared view, one of them takes over, and the view follows.
describe('the discoverer dies (SIGKILL)', () => {
  let database: TestDatabase;
  let sandbox: Sandbox;
  let scrapers: ScraperProcess[] = [];
  let space: KeyedSpace;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startSandbox();
    const org = sandbox.control.createOrg('org-failover');
    space = await seedKeyedSpace(database.db, sandbox, new SecretKeys(ENV_DEFAULTS.CREDENTIALS_KEY), {
      orgGuid: org.guid,
      orgName: org.name,
      name: 'failover',
      apps: 4,
      instances: 2,
    });
    const env = scraperEnv(sandbox, database, {
      PORT: '0',
      LOG_LEVEL: 'info',
      DISCOVERY_EVENTS_MS: '1000',
      DISCOVERY_LEADER_RETRY_MS: '1000',
    });
    scrapers = await Promise.all([spawnScraper(env), spawnScraper(env), spawnScraper(env)]);
    for (const scraper of scrapers) {
      await eventually(
        async () => ((await upByInstance(scraper, space))?.size === 8 ? true : undefined),
        30_000,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(scrapers.map((s) => s.kill()));
    await sandbox?.stop();
    await database?.drop();
  });

  it('another instance takes over; no scrape fails or loses an instance; the view follows the changes', async () => {
    const leaders = await Promise.all(scrapers.map(isLeader));
    expect(leaders.filter(Boolean)).toHaveLength(1);
    const leader = scrapers[leaders.indexOf(true)]!;
    const survivors = scrapers.filter((s) => s !== leader);
    const original = [...((await upByInstance(survivors[0]!, space)) ?? new Map()).keys()];
    expect(original).toHaveLength(8);

    await leader.kill();
    const [scaled, crashed] = space.appGuids;
    sandbox.control.scale(scaled!, 5);
    sandbox.control.crashInstance(crashed!, 1);

    const failures: string[] = [];
    let scrapes = 0;
    const until = Date.now() + RUN_MS;
    while (Date.now() < until) {
      const survivor = survivors[scrapes % survivors.length]!;
      scrapes++;
      const up = await upByInstance(survivor, space);
      if (!up) failures.push(`scrape ${scrapes}: refused`);
      else {
        const missing = original.filter((id) => !up.has(id));
        if (missing.length > 0) failures.push(`scrape ${scrapes}: missing ${missing.join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(failures).toEqual([]);
    expect(scrapes).toBeGreaterThan(50);

    expect((await Promise.all(survivors.map(isLeader))).filter(Boolean)).toHaveLength(1);
    for (const survivor of survivors) {
      const up = await eventually(async () => {
        const seen = await upByInstance(survivor, space);
        const scaledUp = [0, 1, 2, 3, 4].every((i) => seen?.get(`${scaled}:${i}`) === '1');
        return scaledUp && seen?.get(`${crashed}:1`) === '0' ? seen : undefined;
      }, 20_000);
      expect(up.size).toBe(11);
    }
  }, 90_000);
});
