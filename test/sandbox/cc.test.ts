import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxApp, startSandbox } from '../../sandbox/index.ts';
import { ccGet, clientToken } from './support.ts';

describe('sandbox Cloud Controller: shapes, filters, pagination', () => {
  let sb: Sandbox;
  let token: string;
  let org: { guid: string; name: string };
  let space: { guid: string; name: string };
  let other: { guid: string; name: string };
  const apps: SandboxApp[] = [];

  beforeAll(async () => {
    sb = await startSandbox();
    token = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
    org = sb.control.createOrg('org-a');
    space = sb.control.createSpace(org.guid, 'space-a');
    other = sb.control.createSpace(sb.control.createOrg('org-b').guid, 'space-b');
    for (let i = 0; i < 7; i++) {
      apps.push(
        sb.control.createApp({
          spaceGuid: i < 5 ? space.guid : other.guid,
          name: `app-${i}`,
          instances: (i % 3) + 1,
        }),
      );
    }
    sb.control.addRoute(apps[0]!.guid, 'second', { path: '/metrics-path' });
    sb.control.addRoute(apps[0]!.guid, 'app-0', { internal: true });
  });
  afterAll(() => sb.stop());

  const get = (path: string) => ccGet(`${sb.ccUrl}${path}`, token);

  it('GET / is public and links the UAA and v3', async () => {
    const res = await ccGet(`${sb.ccUrl}/`);
    expect(res.status).toBe(200);
    expect(res.body.links.uaa.href).toBe(sb.uaaUrl);
    expect(res.body.links.login.href).toBe(sb.uaaUrl);
    expect(res.body.links.cloud_controller_v3).toMatchObject({
      href: `${sb.ccUrl}/v3`,
      meta: { version: expect.any(String) },
    });
    expect((await ccGet(`${sb.ccUrl}/v3/info`)).status).toBe(200);
  });

  it('lists apps with include=space.organization', async () => {
    const res = await get(`/v3/apps?guids=${apps[0]!.guid},${apps[6]!.guid}&include=space.organization`);
    expect(res.status).toBe(200);
    expect(res.body.resources.map((a: { name: string }) => a.name)).toEqual(['app-0', 'app-6']);
    expect(res.body.resources[0]).toMatchObject({
      guid: apps[0]!.guid,
      state: 'STARTED',
      relationships: { space: { data: { guid: space.guid } } },
      metadata: { labels: {}, annotations: {} },
    });
    expect(res.body.included.spaces.map((s: { guid: string }) => s.guid).sort()).toEqual(
      [space.guid, other.guid].sort(),
    );
    expect(res.body.included.spaces[0].relationships.organization.data.guid).toBeTypeOf('string');
    expect(res.body.included.organizations.map((o: { name: string }) => o.name).sort()).toEqual([
      'org-a',
      'org-b',
    ]);
  });

  it('include=space gives spaces only; no include gives no included', async () => {
    const withSpace = await get(`/v3/apps?guids=${apps[1]!.guid}&include=space`);
    expect(Object.keys(withSpace.body.included)).toEqual(['spaces']);
    expect((await get(`/v3/apps?guids=${apps[1]!.guid}`)).body.included).toBeUndefined();
  });

  it.each([
    ['space_guids', () => `space_guids=${apps[6]!.spaceGuid}`, ['app-5', 'app-6']],
    ['names', () => 'names=app-2,app-4,nope', ['app-2', 'app-4']],
    ['unknown guids are left out', () => 'guids=00000000-0000-4000-8000-000000000000', []],
  ])('filters apps by %s', async (_, query, names) => {
    const res = await get(`/v3/apps?${query()}`);
    expect(res.body.resources.map((a: { name: string }) => a.name)).toEqual(names);
    expect(res.body.pagination.total_results).toBe(names.length);
  });

  it('paginates with absolute next links that repeat the filters, until next is null', async () => {
    const seen: string[] = [];
    let url: string | null = `${sb.ccUrl}/v3/apps?space_guids=${space.guid}&per_page=2`;
    let pages = 0;
    while (url) {
      const res = await ccGet(url, token);
      expect(res.status).toBe(200);
      expect(res.body.pagination.total_results).toBe(5);
      expect(res.body.pagination.total_pages).toBe(3);
      seen.push(...res.body.resources.map((a: { name: string }) => a.name));
      url = res.body.pagination.next?.href ?? null;
      if (url) {
        expect(url.startsWith(`${sb.ccUrl}/v3/apps?`)).toBe(true);
        expect(new URL(url).searchParams.get('space_guids')).toBe(space.guid);
        expect(new URL(url).searchParams.get('per_page')).toBe('2');
      }
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['app-0', 'app-1', 'app-2', 'app-3', 'app-4']);
  });

  it('describes first, last and previous pages', async () => {
    const res = await get('/v3/apps?per_page=3&page=2');
    const p = res.body.pagination;
    expect(new URL(p.first.href).searchParams.get('page')).toBe('1');
    expect(new URL(p.last.href).searchParams.get('page')).toBe('3');
    expect(new URL(p.previous.href).searchParams.get('page')).toBe('1');
    expect(new URL(p.next.href).searchParams.get('page')).toBe('3');
    const empty = await get('/v3/apps?names=none');
    expect(empty.body.pagination).toMatchObject({
      total_results: 0,
      total_pages: 1,
      next: null,
      previous: null,
    });
    const beyond = await get('/v3/apps?page=9');
    expect(beyond.body.resources).toEqual([]);
  });

  it.each([
    ['per_page=0', 'Per page must be between 1 and 5000'],
    ['per_page=5001', 'Per page must be between 1 and 5000'],
    ['page=0', 'Page must be greater than 0'],
    ['bogus=1', "Unknown query parameter(s): 'bogus'"],
    ['include=domain', "Invalid included resource: 'domain'"],
  ])('refuses ?%s with 400 CF-BadQueryParameter', async (query, detail) => {
    const res = await get(`/v3/apps?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 10005, title: 'CF-BadQueryParameter' });
    expect(res.body.errors[0].detail).toContain(detail);
  });

  it('accepts per_page=5000', async () => {
    expect((await get('/v3/apps?per_page=5000')).body.resources).toHaveLength(7);
  });

  it('gets one app, or 404 CF-ResourceNotFound', async () => {
    expect((await get(`/v3/apps/${apps[3]!.guid}`)).body.name).toBe('app-3');
    const res = await get('/v3/apps/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      errors: [{ code: 10010, title: 'CF-ResourceNotFound', detail: 'App not found' }],
    });
  });

  it('lists routes by app_guids with include=domain; url has no scheme', async () => {
    const res = await get(`/v3/routes?app_guids=${apps[0]!.guid},${apps[1]!.guid}&include=domain`);
    expect(res.status).toBe(200);
    const urls = res.body.resources.map((r: { url: string }) => r.url);
    expect(urls).toEqual([
      `app-0.${sb.appsDomain}`,
      `app-1.${sb.appsDomain}`,
      `second.${sb.appsDomain}/metrics-path`,
      'app-0.apps.internal',
    ]);
    const route = res.body.resources[0];
    expect(route).toMatchObject({
      protocol: 'http',
      host: 'app-0',
      path: '',
      destinations: [{ app: { guid: apps[0]!.guid, process: { type: 'web' } }, port: 8080 }],
    });
    const domains = res.body.included.domains;
    expect(domains.map((d: { name: string; internal: boolean }) => [d.name, d.internal])).toEqual([
      [sb.appsDomain, false],
      ['apps.internal', true],
    ]);
    expect(domains.map((d: { guid: string }) => d.guid)).toContain(route.relationships.domain.data.guid);
  });

  it('lists web processes by app_guids and types, with the desired instance count', async () => {
    const res = await get(`/v3/processes?app_guids=${apps[1]!.guid},${apps[2]!.guid}&types=web`);
    expect(res.body.resources.map((p: { instances: number }) => p.instances)).toEqual([2, 3]);
    expect(res.body.resources[0]).toMatchObject({
      guid: apps[1]!.processGuid,
      type: 'web',
      relationships: { app: { data: { guid: apps[1]!.guid } } },
    });
    expect((await get(`/v3/processes?app_guids=${apps[1]!.guid}&types=worker`)).body.resources).toEqual([]);
  });

  it('serves process stats on both paths, sorted by index, without pagination', async () => {
    const a = apps[2]!;
    const byProcess = await get(`/v3/processes/${a.processGuid}/stats`);
    const byApp = await get(`/v3/apps/${a.guid}/processes/web/stats`);
    expect(byProcess.status).toBe(200);
    expect(byProcess.body.pagination).toBeUndefined();
    expect(byProcess.body.resources.map((s: { index: number }) => s.index)).toEqual([0, 1, 2]);
    expect(byProcess.body.resources[1]).toMatchObject({
      type: 'web',
      state: 'RUNNING',
      routable: true,
      host: '127.0.0.1',
    });
    expect(byProcess.body.resources[1].instance_ports[0].external).toBeTypeOf('number');
    expect(byApp.body.resources.map((s: { state: string }) => s.state)).toEqual([
      'RUNNING',
      'RUNNING',
      'RUNNING',
    ]);
    expect((await get('/v3/processes/00000000-0000-4000-8000-000000000000/stats')).status).toBe(404);
  });

  it('lists and gets spaces, organizations and domains', async () => {
    const spaces = await get(`/v3/spaces?organization_guids=${org.guid}&include=organization`);
    expect(spaces.body.resources.map((s: { name: string }) => s.name)).toEqual(['space-a']);
    expect(spaces.body.included.organizations[0].name).toBe('org-a');
    expect((await get(`/v3/spaces/${space.guid}`)).body.relationships.organization.data.guid).toBe(org.guid);
    expect((await get('/v3/organizations?names=org-b')).body.resources[0].name).toBe('org-b');
    expect((await get(`/v3/organizations/${org.guid}`)).body.name).toBe('org-a');
    const domains = await get('/v3/domains');
    expect(domains.body.resources.map((d: { name: string }) => d.name)).toEqual([
      sb.appsDomain,
      'apps.internal',
    ]);
    expect((await get(`/v3/domains/${domains.body.resources[0].guid}`)).body.internal).toBe(false);
    expect((await get('/v3/domains/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('answers unknown paths with 404 CF-NotFound', async () => {
    const res = await get('/v3/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.errors[0].title).toBe('CF-NotFound');
  });

  it('shows a stopped app as STOPPED with DOWN stats', async () => {
    const a = sb.control.createApp({
      spaceGuid: other.guid,
      name: 'sleeper',
      instances: 2,
      state: 'STOPPED',
    });
    expect((await get(`/v3/apps/${a.guid}`)).body.state).toBe('STOPPED');
    const stats = await get(`/v3/processes/${a.processGuid}/stats`);
    expect(stats.body.resources).toEqual([
      { type: 'web', index: 0, state: 'DOWN', routable: false, uptime: 0, details: null },
      { type: 'web', index: 1, state: 'DOWN', routable: false, uptime: 0, details: null },
    ]);
  });
});
