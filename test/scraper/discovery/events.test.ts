import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import { createDiscoveryMetrics, type DiscoveredTarget } from '../../../scraper/discovery/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { insertAppBinding, insertInstance, waitFor } from '../bindings/rows.ts';
import { keys, type Stack, startStack } from './harness.ts';

// Refresh by change: after one full discovery the discoverer reads the audit event feed and re-reads only
// the bound apps it names; when the feed answers 403 it falls back to a full discovery every TTL.

let sandbox: Sandbox;
let tdb: TestDatabase;
let stack: Stack | undefined;
let space: { guid: string };
const apps: Record<string, string> = {};

beforeAll(async () => {
  [sandbox, tdb] = await Promise.all([startSandbox(), createTestDatabase()]);
  const c = sandbox.control;
  const org = c.createOrg('events-org');
  space = c.createSpace(org.guid, 'events-space');
  for (const name of ['scaled', 'crashy', 'stopping', 'routed', 'quiet', 'fallback']) {
    apps[name] = c.createApp({ spaceGuid: space.guid, name, instances: 2 }).guid;
  }
  apps.unbound = c.createApp({ spaceGuid: space.guid, name: 'unbound' }).guid;
  const instanceId = await insertInstance(tdb.db, { orgGuid: org.guid, spaceGuid: space.guid });
  for (const [name, guid] of Object.entries(apps)) {
    if (name !== 'unbound') await insertAppBinding(tdb.db, keys, { instanceId, appGuid: guid });
  }
});

afterAll(async () => {
  await Promise.all([sandbox?.stop(), tdb?.drop()]);
});

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  sandbox.control.failCcEndpoint('/v3/audit_events', null);
});

const EVENTS = { intervalMs: 200, fullMs: 3_600_000, overlapSeconds: 5 };
const feedReads = () => sandbox.control.requestCounts()['GET /v3/audit_events'] ?? 0;
const target = (stack: Stack, name: string): DiscoveredTarget | undefined =>
  stack.discovery.view().targets.find((t) => t.target.appGuid === apps[name]);

describe('discovery by audit events', () => {
  it('reads only the feed while nothing changes', async () => {
    stack = await startStack(tdb, sandbox, { events: EVENTS });
    const before = feedReads();
    sandbox.control.resetRequestCounts();
    await waitFor(() => feedReads() >= 3);
    const counts = sandbox.control.requestCounts();
    expect(counts.total).toBe(counts['GET /v3/audit_events']);
    expect(before).toBeGreaterThan(0);
  });

  it('a scale, a crash, a stop and an unmapped route appear within one event read, each re-reading its app only', async () => {
    stack = await startStack(tdb, sandbox, { events: EVENTS });
    const c = sandbox.control;
    c.scale(apps.scaled!, 5);
    c.crashInstance(apps.crashy!, 1);
    c.stopApp(apps.stopping!);
    c.removeRoute(apps.routed!, 'routed');
    c.scale(apps.unbound!, 3); // not bound: never looked up
    c.resetRequestCounts();
    await waitFor(() => target(stack!, 'routed')?.status === 'no-route', 5_000);
    // The read that saw the events, plus at most one that was already under way when they happened.
    expect(feedReads()).toBeLessThanOrEqual(2);
    const counts = c.requestCounts();
    expect(counts).toMatchObject({ 'GET /v3/apps': 1, 'GET /v3/routes': 1, 'GET /v3/processes': 1 });
    expect(counts['GET /v3/processes/:guid/stats']).toBe(1); // only the crashed app's states
    expect(target(stack, 'scaled')?.instances).toBe(5);
    expect(target(stack, 'stopping')?.status).toBe('app-stopped');
    expect(await stack.discovery.instanceStates(apps.crashy!)).toEqual([
      { index: 0, state: 'RUNNING' },
      { index: 1, state: 'CRASHED' },
    ]);
    // States for an app without a crash event cost nothing while the feed is read.
    expect(await stack.discovery.instanceStates(apps.quiet!)).toBeUndefined();
    expect(c.requestCounts()['GET /v3/processes/:guid/stats']).toBe(1);
    c.restoreInstance(apps.crashy!, 1);
    c.scale(apps.scaled!, 2);
    c.startApp(apps.stopping!);
    c.addRoute(apps.routed!, 'routed');
  });

  it('falls back to a full discovery every TTL while the feed answers 403, and says so', async () => {
    const registry = new Registry();
    const metrics = createDiscoveryMetrics(registry);
    sandbox.control.failCcEndpoint('/v3/audit_events', { status: 403 });
    stack = await startStack(tdb, sandbox, { events: EVENTS, ttlMs: 1_000, metrics });
    expect(stack.discovery.feedUp()).toBe(false);
    expect((await metrics.feedUp!.get()).values[0]?.value).toBe(0);
    const fullsBefore = (await metrics.runs.get()).values.find((v) => v.labels.kind === 'full')?.value ?? 0;
    sandbox.control.scale(apps.fallback!, 4);
    await waitFor(() => target(stack!, 'fallback')?.instances === 4, 5_000);
    const fulls = (await metrics.runs.get()).values.find(
      (v) => v.labels.kind === 'full' && v.labels.outcome === 'ok',
    )?.value;
    expect(fulls).toBeGreaterThan(fullsBefore);

    // The feed comes back: the next full discovery finds it readable and changes are read by event again.
    sandbox.control.failCcEndpoint('/v3/audit_events', null);
    await waitFor(() => stack!.discovery.feedUp(), 5_000);
    expect((await metrics.feedUp!.get()).values[0]?.value).toBe(1);
    sandbox.control.scale(apps.fallback!, 2);
    await waitFor(() => target(stack!, 'fallback')?.instances === 2, 5_000);
  });

  it('an event feed that fails mid-way is followed by a full discovery at once', async () => {
    stack = await startStack(tdb, sandbox, { events: EVENTS, ttlMs: 60_000 });
    expect(stack.discovery.feedUp()).toBe(true);
    const fullBefore = stack.discovery.view().refreshedAt;
    sandbox.control.failCcEndpoint('/v3/audit_events', { status: 500 });
    await waitFor(() => stack!.discovery.view().refreshedAt > fullBefore, 5_000);
    expect(stack.discovery.feedUp()).toBe(false);
  });
});
