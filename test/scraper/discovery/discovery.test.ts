import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import type { DiscoveredTarget } from '../../../scraper/discovery/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { insertAppBinding, insertInstance, waitFor } from '../bindings/rows.ts';
import { keys, type Stack, startStack } from './harness.ts';

let sandbox: Sandbox;
let tdb: TestDatabase;
let stack: Stack | undefined;
let org: { guid: string; name: string };
let space: { guid: string; name: string };
let instanceId: string;
const apps: Record<string, string> = {};
const bindingOf: Record<string, string> = {};

beforeAll(async () => {
  [sandbox, tdb] = await Promise.all([startSandbox(), createTestDatabase()]);
  const c = sandbox.control;
  org = c.createOrg('disc-org');
  space = c.createSpace(org.guid, 'disc-space');
  const mk = (name: string, spec: Partial<Parameters<typeof c.createApp>[0]> = {}) => {
    apps[name] = c.createApp({ spaceGuid: space.guid, name, ...spec }).guid;
  };
  mk('running', { instances: 3 });
  mk('stopped', { state: 'STOPPED', instances: 2 });
  mk('routeless', { host: null });
  mk('multi', { host: null, routes: [{ host: 'multi-a' }, { host: 'multi-b', path: '/m' }] });
  mk('inner', { host: null, routes: [{ host: 'inner', internal: true }] });
  instanceId = await insertInstance(tdb.db, { orgGuid: org.guid, spaceGuid: space.guid });
  const bind = async (key: string, appGuid: string, parameters: Record<string, unknown> = {}) => {
    bindingOf[key] = await insertAppBinding(tdb.db, keys, { instanceId, appGuid, parameters });
  };
  await bind('running', apps.running!);
  await bind('stopped', apps.stopped!);
  await bind('routeless', apps.routeless!);
  await bind('multi-default', apps.multi!);
  await bind('multi-exact', apps.multi!, { route: 'multi-b.apps.sandbox.test' });
  await bind('multi-regex', apps.multi!, { route: '/^multi-b\\./' });
  await bind('multi-unmatched', apps.multi!, { route: 'nope.apps.sandbox.test' });
  await bind('inner-default', apps.inner!);
  await bind('inner-explicit', apps.inner!, { route: 'inner.apps.internal' });
  await bind('missing', randomUUID());
});

afterAll(async () => {
  await Promise.all([sandbox?.stop(), tdb?.drop()]);
});

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  sandbox.control.failCc(null);
  sandbox.control.resetRequestCounts();
});

function byBinding(targets: readonly DiscoveredTarget[], key: string): DiscoveredTarget {
  const found = targets.find((t) => t.target.bindingId === bindingOf[key]);
  if (!found) throw new Error(`no target for ${key}`);
  return found;
}

describe('discovery against the sandbox', () => {
  it('discovers app, space, org, route and instances per binding, with a status for each', async () => {
    stack = await startStack(tdb, sandbox);
    expect(stack.discovery.hasRun()).toBe(true);
    const view = stack.discovery.view();
    const running = byBinding(view.targets, 'running');
    expect(running).toMatchObject({
      status: 'scrapable',
      app: { guid: apps.running, name: 'running', state: 'STARTED' },
      space: { guid: space.guid, name: 'disc-space' },
      org: { guid: org.guid, name: 'disc-org' },
      route: { host: 'running.apps.sandbox.test', path: '', internal: false },
      instances: 3,
    });
    const table: Array<[string, string, string | undefined]> = [
      ['stopped', 'app-stopped', 'stopped.apps.sandbox.test'],
      ['routeless', 'no-route', undefined],
      ['multi-default', 'scrapable', 'multi-a.apps.sandbox.test'],
      ['multi-exact', 'scrapable', 'multi-b.apps.sandbox.test'],
      ['multi-regex', 'scrapable', 'multi-b.apps.sandbox.test'],
      ['multi-unmatched', 'route-not-matched', undefined],
      ['inner-default', 'no-route', undefined],
      ['inner-explicit', 'scrapable', 'inner.apps.internal'],
      ['missing', 'app-not-found', undefined],
    ];
    for (const [key, status, host] of table) {
      const t = byBinding(view.targets, key);
      expect({ key, status: t.status, host: t.route?.host }).toEqual({ key, status, host });
    }
    expect(byBinding(view.targets, 'multi-exact').route?.path).toBe('/m');
    expect(byBinding(view.targets, 'inner-explicit').route).toMatchObject({ internal: true, port: 8080 });
    expect(byBinding(view.targets, 'stopped').instances).toBe(2);
    // Everything but the unknown app sits under its real space.
    expect(view.bySpace.get(space.guid)).toHaveLength(view.targets.length - 1);
  });

  it('costs three list requests per batch (apps, routes, processes) plus root and token', async () => {
    stack = await startStack(tdb, sandbox, { guidsPerRequest: 2 });
    // 6 distinct app GUIDs in batches of 2.
    const n = sandbox.control.requestCounts();
    expect(n).toMatchObject({
      'GET /': 1,
      'POST /oauth/token': 1,
      'GET /v3/apps': 3,
      'GET /v3/routes': 3,
      'GET /v3/processes': 3,
    });
  });

  it('follows pagination when pages are small', async () => {
    stack = await startStack(tdb, sandbox, { perPage: 1 });
    const n = sandbox.control.requestCounts();
    expect(n['GET /v3/apps']).toBe(5); // 5 known apps, one per page
    expect(byBinding(stack.discovery.view().targets, 'multi-exact').status).toBe('scrapable');
  });

  it('keeps the last good view while the CC is down and refreshes when it is back', async () => {
    let now = Date.now();
    stack = await startStack(tdb, sandbox, { clock: () => now, ttlMs: 1_000, ccMaxRetries: 0 });
    const before = stack.discovery.view();
    sandbox.control.failCc({ status: 503 });
    now += 2_000;
    stack.discovery.view(); // older than the TTL: starts a background refresh, which fails
    await waitFor(() => (sandbox.control.requestCounts()['GET /v3/apps'] ?? 0) > 1);
    await new Promise((r) => setTimeout(r, 50));
    const during = stack.discovery.view();
    expect(during.targets).toEqual(before.targets);
    expect(during.refreshedAt).toBe(before.refreshedAt);
    expect(stack.discovery.hasRun()).toBe(true);

    sandbox.control.failCc(null);
    // The retry timer (retryMs) runs the refresh again without anyone asking.
    await waitFor(() => stack!.discovery.view().refreshedAt > before.refreshedAt, 5_000);
  });

  it('keeps serving the last good view while the CC is rate limiting', async () => {
    let now = Date.now();
    stack = await startStack(tdb, sandbox, { clock: () => now, ttlMs: 1_000, ccMaxRetries: 0 });
    const before = stack.discovery.view();
    sandbox.control.failCc({ rateLimit: { retryAfterSeconds: 120 } });
    now += 2_000;
    stack.discovery.view();
    await waitFor(() => (sandbox.control.requestCounts()['GET /v3/apps'] ?? 0) > 1);
    expect(stack.discovery.view().targets).toEqual(before.targets);
  });

  it('keeps serving the last good view while the CC hangs, without blocking view()', async () => {
    let now = Date.now();
    stack = await startStack(tdb, sandbox, { clock: () => now, ttlMs: 1_000, ccTimeoutMs: 300 });
    const before = stack.discovery.view();
    sandbox.control.failCc({ hang: true });
    now += 2_000;
    const started = Date.now();
    const during = stack.discovery.view();
    expect(Date.now() - started).toBeLessThan(50);
    expect(during.targets).toEqual(before.targets);
    await new Promise((r) => setTimeout(r, 500)); // the refresh times out meanwhile
    expect(stack.discovery.view().refreshedAt).toBe(before.refreshedAt);
  });

  it('starts without throwing while the CC is down, and runs once it is back', async () => {
    sandbox.control.failCc({ status: 500 });
    stack = await startStack(tdb, sandbox, { ccMaxRetries: 0 });
    expect(stack.discovery.hasRun()).toBe(false);
    expect(stack.discovery.view().targets).toEqual([]);
    sandbox.control.failCc(null);
    await waitFor(() => stack!.discovery.hasRun(), 5_000);
    expect(stack.discovery.view().targets.length).toBeGreaterThan(0);
  });

  it('discovers a new binding within a second, fetching only its app; a removed one vanishes at once', async () => {
    stack = await startStack(tdb, sandbox);
    await waitFor(() => stack!.bindings.isHealthy());
    await new Promise((r) => setTimeout(r, 200)); // LISTEN connection up
    const fresh = sandbox.control.createApp({ spaceGuid: space.guid, name: 'fresh', instances: 2 });
    sandbox.control.resetRequestCounts();
    const started = Date.now();
    const id = await insertAppBinding(tdb.db, keys, { instanceId, appGuid: fresh.guid });
    const found = await waitFor(
      () =>
        stack!.discovery
          .view()
          .bySpace.get(space.guid)
          ?.find((t) => t.target.bindingId === id),
      1_000,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(found).toMatchObject({ status: 'scrapable', instances: 2, app: { name: 'fresh' } });
    expect(sandbox.control.requestCounts()).toMatchObject({
      'GET /v3/apps': 1,
      'GET /v3/routes': 1,
      'GET /v3/processes': 1,
      total: 3,
    });

    await tdb.db('service_bindings').where('id', id).delete();
    await waitFor(() => !stack!.discovery.view().targets.some((t) => t.target.bindingId === id), 1_000);
  });

  it('fetches instance states only on demand, and caches them briefly', async () => {
    stack = await startStack(tdb, sandbox);
    sandbox.control.crashInstance(apps.running!, 1);
    sandbox.control.resetRequestCounts();
    const states = await stack.discovery.instanceStates(apps.running!);
    expect(states).toEqual([
      { index: 0, state: 'RUNNING' },
      { index: 1, state: 'CRASHED' },
      { index: 2, state: 'RUNNING' },
    ]);
    await stack.discovery.instanceStates(apps.running!);
    expect(sandbox.control.requestCounts().total).toBe(1);
    expect(await stack.discovery.instanceStates(randomUUID())).toBeUndefined();
    sandbox.control.restoreInstance(apps.running!, 1);
  });
});
