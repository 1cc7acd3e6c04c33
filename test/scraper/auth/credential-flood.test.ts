import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKeys } from '../../../common/secrets.ts';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { eventually } from '../../support/eventually.ts';
import { seedKeyedSpace } from '../../support/keyed-space.ts';
import { type ScraperProcess, spawnScraper } from '../../support/scraper-process.ts';
import { ENV_DEFAULTS, scraperEnv } from '../http/support/scraper-fixture.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const FLOOD_CLIENTS = 128;
/** Bounds the flood whatever the machine's speed. */
const FLOOD_MAX_REQUESTS = 20_000;
const SCRAPES = 40;

function p99(ms: number[]): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

// Key usernames are not secret (they stand in every prometheus.yml): anyone who reaches the scraper can
// guess passwords for one. The guesses must cost the other tenants nothing noticeable.
describe('a flood of wrong passwords for one known username', () => {
  let database: TestDatabase;
  let sandbox: Sandbox;
  let scraper: ScraperProcess;
  let victimSpace: string;
  let victim: { username: string; password: string };
  let neighbourSpace: string;
  let neighbour: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startSandbox();
    const keys = new SecretKeys(ENV_DEFAULTS.CREDENTIALS_KEY);
    const org = sandbox.control.createOrg('org-flood');
    const addSpace = (name: string, apps: number) =>
      seedKeyedSpace(database.db, sandbox, keys, {
        orgGuid: org.guid,
        orgName: org.name,
        name,
        apps,
        instances: 2,
      });
    const v = await addSpace('victim', 1);
    victimSpace = v.spaceGuid;
    victim = v;
    const n = await addSpace('neighbour', 4);
    neighbourSpace = n.spaceGuid;
    neighbour = n.authorization;
    scraper = await spawnScraper(scraperEnv(sandbox, database, { PORT: '0', LOG_LEVEL: 'info' }));
    await eventually(async () => ((await scrapeNeighbour()).instances === 8 ? true : undefined), 30_000);
  }, 90_000);

  afterAll(async () => {
    await scraper?.stop();
    await sandbox?.stop();
    await database?.drop();
  });

  /** As Prometheus asks: gzip accepted (the targets answer gzip, inflated on the threadpool). */
  async function scrapeNeighbour(): Promise<{ status: number; ms: number; instances: number }> {
    const started = performance.now();
    const res = await request(`${scraper.url}/v1/spaces/${neighbourSpace}/metrics`, {
      headers: { authorization: neighbour, 'accept-encoding': 'gzip' },
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const ms = performance.now() - started;
    if (res.statusCode !== 200) return { status: res.statusCode, ms, instances: 0 };
    const { gunzipSync } = await import('node:zlib');
    const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString();
    const instances = text
      .split('\n')
      .filter((l) => l.startsWith('promregator_up{') && l.endsWith(' 1')).length;
    return { status: res.statusCode, ms, instances };
  }

  it('answers every guess 401 or 429, keeps the neighbour fast and lets the right password in', async () => {
    const quiet: number[] = [];
    for (let i = 0; i < SCRAPES; i++) quiet.push((await scrapeNeighbour()).ms);

    const pool = new Pool(scraper.url, { connections: FLOOD_CLIENTS, pipelining: 1 });
    const statuses = new Map<number, number>();
    let sent = 0;
    let flooding = true;
    const wrong = basic(victim.username, 'not-the-password');
    const flooder = async () => {
      while (flooding && sent < FLOOD_MAX_REQUESTS) {
        sent++;
        const res = await pool.request({
          method: 'GET',
          path: `/v1/spaces/${victimSpace}/metrics`,
          headers: { authorization: wrong },
        });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    };
    const flood = Promise.all(Array.from({ length: FLOOD_CLIENTS }, flooder));

    const loaded: { status: number; ms: number; instances: number }[] = [];
    const owner: number[] = [];
    try {
      // Let the flood pass the threshold first, so the limiter is engaged while we measure.
      await eventually(async () => (statuses.has(429) ? true : undefined), 20_000);
      for (let i = 0; i < SCRAPES; i++) {
        loaded.push(await scrapeNeighbour());
        if (i % 8 === 0) {
          const res = await request(`${scraper.url}/v1/spaces/${victimSpace}/metrics`, {
            headers: { authorization: basic(victim.username, victim.password) },
          });
          await res.body.dump();
          owner.push(res.statusCode);
        }
      }
    } finally {
      flooding = false;
      await flood;
      await pool.close();
    }

    expect([...statuses.keys()].every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    expect(owner.every((s) => s === 200)).toBe(true);
    expect(loaded.every((r) => r.status === 200 && r.instances === 8)).toBe(true);
    const quietP99 = p99(quiet);
    const loadedP99 = p99(loaded.map((r) => r.ms));
    console.log(
      `credential flood: ${sent} guesses (${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}); neighbour p99 quiet ${quietP99.toFixed(1)} ms, during flood ${loadedP99.toFixed(1)} ms`,
    );
    expect(loadedP99).toBeLessThanOrEqual(3 * quietP99 + 200);
  }, 120_000);
});
