import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from '../http/support/scraper-fixture.ts';

// Each auth type against a sandbox app that checks it; a wrong or missing credential shows as http_401.
describe('outbound auth per binding', () => {
  let fx: ScraperFixture;
  let spaceGuid: string;
  let authorization: string;

  beforeAll(async () => {
    fx = await startScraperFixture();
    const c = fx.sandbox.control;
    const keyed = await fx.addKeyedSpace('org-auth', 'space-auth');
    spaceGuid = keyed.spaceGuid;
    const instanceId = keyed.instanceId;
    authorization = keyed.authorization;

    const none = c.createApp({ spaceGuid, name: 'open', auth: { type: 'none' } });
    await fx.bindApp(instanceId, none.guid, { auth: { type: 'none' } });

    const basic = c.createApp({
      spaceGuid,
      name: 'basic',
      auth: { type: 'basic', username: 'u', password: 'p:w' },
    });
    await fx.bindApp(instanceId, basic.guid, { auth: { type: 'basic', username: 'u', password: 'p:w' } });

    // Default auth type "binding": the app checks the credentials derived from the binding id.
    const derived = c.createApp({ spaceGuid, name: 'derived', auth: { type: 'none' } });
    const derivedBinding = await fx.bindApp(instanceId, derived.guid, {});
    c.setAppAuth(derived.guid, { type: 'basic', ...fx.keys.bindingCredentials(derivedBinding) });

    c.addClient('metrics-reader', 'reader-secret', ['bearerapp.read']);
    const bearer = c.createApp({
      spaceGuid,
      name: 'bearer',
      auth: { type: 'bearer', audience: 'bearerapp' },
    });
    await fx.bindApp(instanceId, bearer.guid, {
      auth: {
        type: 'oauth2',
        token_url: `${fx.sandbox.uaaUrl}/oauth/token`,
        client_id: 'metrics-reader',
        client_secret: 'reader-secret',
      },
    });

    const wrong = c.createApp({
      spaceGuid,
      name: 'wrong',
      auth: { type: 'basic', username: 'u', password: 'right' },
    });
    await fx.bindApp(instanceId, wrong.guid, { auth: { type: 'basic', username: 'u', password: 'nope' } });
  });
  afterAll(() => fx?.stop());

  it('none, basic, binding-derived basic and oauth2 bearer all reach their app; a wrong password is http_401', async () => {
    const text = await eventually(async () => {
      const res = await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization });
      return samples(res.text, 'promregator_up').length === 5 ? res.text : undefined;
    });
    const up = new Map(
      samples(text, 'promregator_up').map((l) => [labelOf(l, 'app_name'), l.endsWith(' 1')]),
    );
    expect(Object.fromEntries(up)).toEqual({
      open: true,
      basic: true,
      derived: true,
      bearer: true,
      wrong: false,
    });
    const failure = samples(text, 'promregator_scrape_failure');
    expect(failure.map((l) => [labelOf(l, 'app_name'), labelOf(l, 'reason')])).toEqual([
      ['wrong', 'http_401'],
    ]);
  });

  it('the oauth2 token is cached: repeated scrapes fetch it once', async () => {
    fx.sandbox.control.resetRequestCounts();
    for (let i = 0; i < 3; i++) {
      const res = await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization });
      expect(samples(res.text, 'promregator_up').find((l) => labelOf(l, 'app_name') === 'bearer')).toMatch(
        / 1$/,
      );
    }
    expect(fx.sandbox.control.requestCounts()['POST /oauth/token'] ?? 0).toBe(0);
  });
});
