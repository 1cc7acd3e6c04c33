import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { ccGet, clientToken, instanceIndexOf, routerGet } from './support.ts';

describe('sandbox scenario: scaling and crashing, CC and gorouter agree', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox();
    token = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
  });
  afterAll(() => sb.stop());

  async function observe(appGuid: string) {
    const app = sb.control.getApp(appGuid);
    const processes = await ccGet(`${sb.ccUrl}/v3/processes?app_guids=${appGuid}&types=web`, token);
    const stats = await ccGet(`${sb.ccUrl}/v3/processes/${app.processGuid}/stats`, token);
    const statsByApp = await ccGet(`${sb.ccUrl}/v3/apps/${appGuid}/processes/web/stats`, token);
    expect(statsByApp.body).toEqual({
      resources: stats.body.resources.map((r: { uptime: number; usage?: unknown }) => ({
        ...r,
        uptime: expect.any(Number),
        ...(r.usage ? { usage: expect.anything() } : {}),
      })),
    });
    const routed: Record<number, number> = {};
    for (let i = 0; i < app.instances + 1; i++) {
      const res = await routerGet(sb, app.routes[0]!, '/metrics', { 'x-cf-app-instance': `${appGuid}:${i}` });
      routed[i] = res.status === 200 ? (instanceIndexOf(res.body) ?? -1) : -res.status;
    }
    return {
      desired: processes.body.resources[0].instances as number,
      states: stats.body.resources.map((s: { state: string }) => s.state) as string[],
      routable: stats.body.resources.map((s: { routable: boolean }) => s.routable) as boolean[],
      routed,
    };
  }

  it('scale 2 → 5, crash instance 3, restore it, scale down, stop and start', async () => {
    const space = sb.control.createSpace(sb.control.createOrg('o').guid, 's');
    const app = sb.control.createApp({ spaceGuid: space.guid, name: 'scaled', instances: 2 });

    expect(await observe(app.guid)).toEqual({
      desired: 2,
      states: ['RUNNING', 'RUNNING'],
      routable: [true, true],
      routed: { 0: 0, 1: 1, 2: -400 },
    });

    sb.control.scale(app.guid, 5);
    expect(await observe(app.guid)).toEqual({
      desired: 5,
      states: ['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING'],
      routable: [true, true, true, true, true],
      routed: { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: -400 },
    });

    sb.control.crashInstance(app.guid, 3);
    expect(await observe(app.guid)).toEqual({
      desired: 5,
      states: ['RUNNING', 'RUNNING', 'RUNNING', 'CRASHED', 'RUNNING'],
      routable: [true, true, true, false, true],
      routed: { 0: 0, 1: 1, 2: 2, 3: -400, 4: 4, 5: -400 },
    });
    // Round-robin never lands on the crashed instance.
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++)
      seen.add(instanceIndexOf((await routerGet(sb, app.routes[0]!, '/metrics')).body) ?? -1);
    expect(seen).toEqual(new Set([0, 1, 2, 4]));

    sb.control.restoreInstance(app.guid, 3);
    const restored = await observe(app.guid);
    expect(restored.states[3]).toBe('RUNNING');
    expect(restored.routed[3]).toBe(3);

    sb.control.scale(app.guid, 1);
    expect(await observe(app.guid)).toEqual({
      desired: 1,
      states: ['RUNNING'],
      routable: [true],
      routed: { 0: 0, 1: -400 },
    });

    sb.control.stopApp(app.guid);
    const stoppedApp = await ccGet(`${sb.ccUrl}/v3/apps/${app.guid}`, token);
    expect(stoppedApp.body.state).toBe('STOPPED');
    expect(await observe(app.guid)).toEqual({
      desired: 1,
      states: ['DOWN'],
      routable: [false],
      routed: { 0: -400, 1: -400 },
    });
    expect((await routerGet(sb, app.routes[0]!, '/metrics')).status).toBe(404);

    sb.control.startApp(app.guid);
    expect(await observe(app.guid)).toEqual({
      desired: 1,
      states: ['RUNNING'],
      routable: [true],
      routed: { 0: 0, 1: -400 },
    });
  });

  it('a STARTING instance shows host "" in stats and is not routable yet', async () => {
    const space = sb.control.createSpace(sb.control.createOrg('o3').guid, 's');
    const app = sb.control.createApp({ spaceGuid: space.guid, name: 'booting', instances: 2 });
    sb.control.setInstanceState(app.guid, 1, 'STARTING');
    const stats = await ccGet(`${sb.ccUrl}/v3/processes/${app.processGuid}/stats`, token);
    expect(stats.body.resources[1]).toMatchObject({ index: 1, state: 'STARTING', routable: false, host: '' });
    expect((await observe(app.guid)).routed).toEqual({ 0: 0, 1: -400, 2: -400 });
    sb.control.setInstanceState(app.guid, 1, 'RUNNING');
    expect((await observe(app.guid)).routed).toEqual({ 0: 0, 1: 1, 2: -400 });
  });

  it('a restarted instance is a new process: its counters start again', async () => {
    const space = sb.control.createSpace(sb.control.createOrg('o2').guid, 's');
    const app = sb.control.createApp({ spaceGuid: space.guid, name: 'restarts' });
    const scrapes = async () => {
      const res = await routerGet(sb, app.routes[0]!, '/metrics', { 'x-cf-app-instance': `${app.guid}:0` });
      return Number(/^sandbox_scrapes_total (\d+)/m.exec(res.body)?.[1]);
    };
    await scrapes();
    expect(await scrapes()).toBe(2);
    sb.control.crashInstance(app.guid, 0);
    sb.control.restoreInstance(app.guid, 0);
    expect(await scrapes()).toBe(1);
  });
});
