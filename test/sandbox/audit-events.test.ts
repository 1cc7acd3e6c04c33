import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { ccGet, clientToken } from './support.ts';

// GET /v3/audit_events as CLOUD_FOUNDRY.md describes it: what the control API does is recorded with
// second-precision created_at, filterable by type, target and time, readable only by read-all authorities.

describe('sandbox Cloud Controller: audit events', () => {
  let sb: Sandbox;
  let admin: string;
  let space: { guid: string };
  let org: { guid: string };
  beforeAll(async () => {
    sb = await startSandbox();
    admin = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
    org = sb.control.createOrg('audit-org');
    space = sb.control.createSpace(org.guid, 'audit-space');
  });
  afterAll(() => sb.stop());

  const events = (query: string, token = admin) => ccGet(`${sb.ccUrl}/v3/audit_events?${query}`, token);
  const typesOf = (body: { resources: Array<{ type: string }> }) => body.resources.map((r) => r.type);

  it('records every control operation that changes what a scraper sees, in order, with the app as target', async () => {
    const app = sb.control.createApp({ spaceGuid: space.guid, name: 'audited', instances: 2 });
    sb.control.scale(app.guid, 3);
    sb.control.crashInstance(app.guid, 1);
    sb.control.restoreInstance(app.guid, 1);
    sb.control.stopApp(app.guid);
    sb.control.startApp(app.guid);
    sb.control.restartApp(app.guid);
    sb.control.addRoute(app.guid, 'audited-extra');
    sb.control.removeRoute(app.guid, 'audited-extra');
    sb.control.deleteApp(app.guid);

    const res = await events(`target_guids=${app.guid}&order_by=created_at&per_page=5000`);
    expect(res.status).toBe(200);
    expect(typesOf(res.body)).toEqual([
      'audit.app.create',
      'audit.app.map-route',
      'audit.app.process.scale',
      'audit.app.process.crash',
      'audit.app.stop',
      'audit.app.start',
      'audit.app.restart',
      'audit.app.map-route',
      'audit.app.unmap-route',
      'audit.app.delete-request',
    ]);
    const [first] = res.body.resources;
    expect(first).toMatchObject({
      target: { guid: app.guid, type: 'app', name: 'audited' },
      actor: { type: 'user', name: 'sandbox-user' },
      space: { guid: space.guid },
      organization: { guid: org.guid },
    });
    expect(first.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const crash = res.body.resources[3];
    expect(crash).toMatchObject({ actor: { type: 'process' }, data: { index: 1, reason: 'CRASHED' } });
    expect((await ccGet(`${sb.ccUrl}/v3/apps/${app.guid}`, admin)).status).toBe(404);
    const desc = await events(`target_guids=${app.guid}&order_by=-created_at&per_page=1`);
    expect(typesOf(desc.body)).toEqual(['audit.app.delete-request']);
  });

  it('filters by types (comma-separated) and paginates with links that repeat every filter', async () => {
    const a = sb.control.createApp({ spaceGuid: space.guid, name: 'paged' });
    for (const n of [2, 3, 4]) sb.control.scale(a.guid, n);
    const res = await events(
      `types=audit.app.process.scale,audit.app.stop&target_guids=${a.guid}&per_page=2`,
    );
    expect(res.body.pagination.total_results).toBe(3);
    expect(res.body.resources).toHaveLength(2);
    const next = res.body.pagination.next.href as string;
    expect(next).toContain('types=audit.app.process.scale%2Caudit.app.stop');
    const page2 = await ccGet(next, admin);
    expect(
      page2.body.resources.map((r: { data: { request: { instances: number } } }) => r.data.request.instances),
    ).toEqual([4]);
    expect(page2.body.pagination.next).toBeNull();
  });

  it('filters created_ats with [gt], [gte], [lt], [lte] at second precision, and refuses other formats', async () => {
    const a = sb.control.createApp({ spaceGuid: space.guid, name: 'timed' });
    const all = await events(`target_guids=${a.guid}`);
    const at = all.body.resources[0].created_at as string;
    const later = `${new Date(Date.parse(at) + 1000).toISOString().slice(0, 19)}Z`;
    const count = async (q: string) => (await events(`target_guids=${a.guid}&${q}`)).body.resources.length;
    const n = all.body.resources.length;
    expect(await count(`created_ats[gte]=${at}`)).toBe(n);
    expect(await count(`created_ats[gt]=${at}`)).toBe(0);
    expect(await count(`created_ats[lt]=${later}`)).toBe(n);
    expect(await count(`created_ats[lte]=${at}`)).toBe(n);
    expect(await count(`created_ats[gt]=${at}&created_ats[lt]=${later}`)).toBe(0);
    expect(await count(`created_ats=${at}`)).toBe(n);
    const bad = await events('created_ats[gt]=2026-12-01T10:00:00.123Z');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 10005, title: 'CF-BadQueryParameter' });
    expect((await events('created_ats[between]=2026-12-01T10:00:00Z')).status).toBe(400);
  });

  it('answers the global auditor, and 403 CF-NotAuthorized to a token without read-all authority', async () => {
    const auditor = await clientToken(sb.uaaUrl, sb.auditor.clientId, sb.auditor.clientSecret);
    expect((await events('per_page=1', auditor)).status).toBe(200);
    const plain = await sb.control.issueToken(sb.admin.clientId, { scopes: ['cloud_controller.read'] });
    const res = await events('per_page=1', plain);
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 10003, title: 'CF-NotAuthorized' });
  });

  it('can refuse the feed alone (failCcEndpoint) while every other endpoint answers', async () => {
    sb.control.failCcEndpoint('/v3/audit_events', { status: 403 });
    try {
      const res = await events('per_page=1');
      expect(res.status).toBe(403);
      expect(res.body.errors[0].title).toBe('CF-NotAuthorized');
      expect((await ccGet(`${sb.ccUrl}/v3/apps`, admin)).status).toBe(200);
    } finally {
      sb.control.failCcEndpoint('/v3/audit_events', null);
    }
    expect((await events('per_page=1')).status).toBe(200);
  });
});
