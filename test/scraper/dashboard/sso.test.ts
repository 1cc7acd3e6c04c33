import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { Browser, DASHBOARD_CLIENT, type DashboardStack, startDashboardStack } from './support.ts';

let stack: DashboardStack;
let dashboardUrl: string;

beforeAll(async () => {
  stack = await startDashboardStack({ appName: '<b>check"out</b>' });
  dashboardUrl = `${stack.scraperUrl}/dashboard/instances/${stack.instanceId}`;
}, 60_000);
afterAll(() => stack?.stop());

describe('dashboard SSO', () => {
  it('sends a browser without a login to UAA, with a random state bound to a fresh session cookie', async () => {
    const browser = new Browser();
    const res = await browser.get(dashboardUrl);
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.sandbox.uaaUrl}/oauth/authorize`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: DASHBOARD_CLIENT.id,
      redirect_uri: `${stack.scraperUrl}/dashboard/callback`,
      scope: 'openid cloud_controller_service_permissions.read',
    });
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{32,}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^promregator_dashboard=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/dashboard');
    // Local mode is plain HTTP on loopback; everywhere else the cookie is Secure.
    expect(cookie).not.toContain('Secure');
    const again = new URL(String((await new Browser().get(dashboardUrl)).headers.location));
    expect(again.searchParams.get('state')).not.toBe(location.searchParams.get('state'));
  });

  it('shows the page to a developer of the space, and the same data as JSON', async () => {
    const browser = new Browser();
    const page = await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('&lt;b&gt;check&quot;out&lt;/b&gt;');
    expect(page.text).not.toContain('<b>check');
    expect(page.text).toContain('checkout.apps.sandbox.test/metrics');
    const json = await browser.get(dashboardUrl, { accept: 'application/json' });
    expect(json.status).toBe(200);
    const model = JSON.parse(json.text);
    expect(model.instance).toMatchObject({ id: stack.instanceId, name: 'metrics', spaceName: 'home' });
    expect(model.apps).toHaveLength(1);
    expect(model.apps[0]).toMatchObject({
      appGuid: stack.app.guid,
      appName: '<b>check"out</b>',
      desiredInstances: 2,
    });
    expect(model.apps[0].instances.map((i: { up: boolean }) => i.up)).toEqual([true, true]);
    expect(model.serviceKeys).toEqual([
      {
        id: expect.any(String),
        name: 'prometheus',
        username: stack.serviceKey.username,
        createdAt: expect.any(String),
      },
    ]);
    expect(json.text).not.toContain(stack.serviceKey.password);
  });

  it('answers 403 to a user of another space, and to an auditor-less stranger', async () => {
    const page = await new Browser().login(
      dashboardUrl,
      stack.user(stack.elsewhere.spaceGuid, ['space_developer']),
    );
    expect(page.status).toBe(403);
    expect(page.text).toContain('Not authorized');
    expect(page.text).not.toContain('check');
  });

  it('refuses a callback with a missing or forged state, or without a login under way', async () => {
    const browser = new Browser();
    const start = await browser.get(dashboardUrl);
    const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
    const callback = `${stack.scraperUrl}/dashboard/callback`;
    const missing = await browser.get(`${callback}?code=abc`);
    expect(missing.status).toBe(400);
    const start2 = await browser.get(dashboardUrl);
    expect(start2.status).toBe(302);
    const forged = await browser.get(`${callback}?code=abc&state=${state}x`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('does not belong to this browser session');
    const noSession = await new Browser().get(`${callback}?code=abc&state=${state}`);
    expect(noSession.status).toBe(400);
  });

  it('refuses a code issued to another client', async () => {
    const other = {
      id: 'other-dashboard',
      secret: 'other-secret',
      redirect_uri: `${stack.scraperUrl}/dashboard/callback`,
    };
    stack.sandbox.control.registerDashboardClient(other);
    const user = stack.user(stack.home.spaceGuid, ['space_developer']);
    // The attacker's login at the other client yields a code for our callback URL...
    const form = new URLSearchParams({
      response_type: 'code',
      client_id: other.id,
      redirect_uri: other.redirect_uri,
      scope: 'openid',
      state: 's',
      username: user.username,
      password: user.password,
      action: 'login',
    });
    const foreign = await new Browser().send(
      'POST',
      `${stack.sandbox.uaaUrl}/oauth/authorize`,
      form.toString(),
    );
    const code = new URL(String(foreign.headers.location)).searchParams.get('code') ?? '';
    // ...which the victim's browser, mid-login, delivers with its own valid state.
    const browser = new Browser();
    const start = await browser.get(dashboardUrl);
    const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
    const res = await browser.get(`${stack.scraperUrl}/dashboard/callback?code=${code}&state=${state}`);
    expect(res.status).toBe(401);
    expect(res.text).toContain('Login failed');
    expect(browser.cookies.size).toBe(0);
  });

  it('shows a cancelled login as such', async () => {
    const browser = new Browser();
    const start = await browser.get(dashboardUrl);
    const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
    const res = await browser.get(
      `${stack.scraperUrl}/dashboard/callback?error=access_denied&state=${state}`,
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('Login cancelled');
  });

  it('ignores a tampered session cookie and sends the browser to log in', async () => {
    const browser = new Browser();
    expect(
      (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_auditor']))).status,
    ).toBe(200);
    const value = browser.cookies.get('promregator_dashboard') ?? '';
    browser.cookies.set('promregator_dashboard', `${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}A`);
    expect((await browser.get(dashboardUrl)).status).toBe(302);
  });

  it('ends an expired session: after its lifetime the browser logs in again', async () => {
    const browser = new Browser();
    expect(
      (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_manager']))).status,
    ).toBe(200);
    stack.advance(stack.config.dashboard.sessionTtlMs + 1_000);
    const res = await browser.get(dashboardUrl);
    expect(res.status).toBe(302);
    expect(String(res.headers.location)).toContain('/oauth/authorize');
  });

  it('follows a removed role at the first permission check after the TTL', async () => {
    const browser = new Browser();
    const user = stack.user(stack.home.spaceGuid, ['space_developer']);
    expect((await browser.login(dashboardUrl, user)).status).toBe(200);
    stack.sandbox.control.removeRole(user.username, stack.home.spaceGuid, 'space_developer');
    // The verdict is cached for the TTL: still shown...
    expect((await browser.get(dashboardUrl)).status).toBe(200);
    stack.advance(stack.config.dashboard.permissionTtlMs);
    // ...and refused at the next check after it.
    expect((await browser.get(dashboardUrl)).status).toBe(403);
  });

  it('logs out: the cookie is cleared and the next visit logs in again', async () => {
    const browser = new Browser();
    expect(
      (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']))).status,
    ).toBe(200);
    const cookie = browser.cookies.get('promregator_dashboard') ?? '';
    const out = await browser.send('POST', `${stack.scraperUrl}/dashboard/logout`, '');
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await browser.get(dashboardUrl)).status).toBe(302);
    expect(cookie).not.toBe('');
  });

  it('answers 503 with an error page while the CC is down, and recovers', async () => {
    const browser = new Browser();
    expect(
      (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']))).status,
    ).toBe(200);
    stack.advance(stack.config.dashboard.permissionTtlMs);
    stack.sandbox.control.failCc({ status: 503 });
    try {
      const down = await browser.get(dashboardUrl);
      expect(down.status).toBe(503);
      expect(down.text).toContain('Cloud Controller unavailable');
    } finally {
      stack.sandbox.control.failCc(null);
    }
    expect((await browser.get(dashboardUrl)).status).toBe(200);
  });

  it('answers 502 with an error page while UAA is down at the code exchange', async () => {
    const browser = new Browser();
    stack.sandbox.control.failUaa(503);
    try {
      const res = await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']));
      expect(res.status).toBe(502);
      expect(res.text).toContain('UAA unavailable');
    } finally {
      stack.sandbox.control.failUaa(null);
    }
    // The scraper is fine: its other endpoints still answer.
    expect(await stack.scrape()).toContain('promregator_up{');
  });

  it('reports an unparsable instance with the parse error, and a status failure with the status', async () => {
    stack.sandbox.control.setInstanceBehavior(stack.app.guid, 0, { kind: 'malformed' });
    stack.sandbox.control.setInstanceBehavior(stack.app.guid, 1, { kind: 'status', status: 500 });
    try {
      await stack.scrape();
      const browser = new Browser();
      expect(
        (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']))).status,
      ).toBe(200);
      const model = JSON.parse((await browser.get(dashboardUrl, { accept: 'application/json' })).text);
      const [unparsable, failing] = model.apps[0].instances;
      expect(unparsable).toMatchObject({
        up: false,
        reason: 'unparsable',
        detail: expect.stringMatching(/^line \d+: /),
      });
      expect(failing).toMatchObject({ up: false, reason: 'http_500', detail: 'HTTP 500' });
      expect(failing.timeline.at(-1)).toMatchObject({ up: false, reason: 'http_500' });
      expect(failing.deadlineMs).toBeGreaterThan(0);
    } finally {
      stack.sandbox.control.setInstanceBehavior(stack.app.guid, 0, { kind: 'normal' });
      stack.sandbox.control.setInstanceBehavior(stack.app.guid, 1, { kind: 'normal' });
    }
  });

  it('explains a stopped app instead of listing instances', async () => {
    stack.sandbox.control.stopApp(stack.app.guid);
    try {
      const browser = new Browser();
      expect(
        (await browser.login(dashboardUrl, stack.user(stack.home.spaceGuid, ['space_developer']))).status,
      ).toBe(200);
      await eventually(
        async () => {
          const page = await browser.get(dashboardUrl);
          return page.text.includes('Not scraped: the app is stopped.') ? true : undefined;
        },
        15_000,
        'discovery to see the stop',
      );
    } finally {
      stack.sandbox.control.startApp(stack.app.guid);
    }
  });

  it('answers 404 for a path that is no dashboard route', async () => {
    const res = await new Browser().get(`${stack.scraperUrl}/dashboard/instances/x/y`);
    expect(res.status).toBe(404);
  });
});
