import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundPolicy, isOutboundRefusal } from '../../../common/outbound/policy.ts';
import { cfContext } from '../../../local/osb-client.ts';
import { OAuthTokens } from '../../../scraper/scrape/oauth-tokens.ts';
import { createTokenAgent } from '../../../scraper/scrape/token-agent.ts';
import { eventually } from '../../support/eventually.ts';
import { fakeDns, PUBLIC_V4 } from '../../support/fake-dns.ts';
import { type Stack, startStack } from '../../support/stack.ts';
import { labelOf, samples } from '../http/support/scraper-fixture.ts';
import { startTokenEndpoint, type TokenEndpoint } from './token-endpoint.ts';

// The scraper holds a tenant's token URL to the outbound policy where it connects, on the address it
// dials: a name that passed the broker's check and resolves to loopback later (DNS rebinding) reaches
// nothing. The token endpoint below is on loopback, so every refused case must leave it untouched.
const SECRET = 'client-secret-never-sent';

let endpoint: TokenEndpoint;
beforeAll(async () => {
  endpoint = await startTokenEndpoint();
});
afterAll(() => endpoint?.close());

function tokensWith(options: {
  allowPrivate: boolean;
  allowedHosts?: string[];
  dns: Record<string, string[]>;
}) {
  const dns = fakeDns(options.dns);
  const policy = createOutboundPolicy({
    allowPrivate: options.allowPrivate,
    allowedHosts: options.allowedHosts ?? [],
    resolve: dns.resolve,
  });
  const agent = createTokenAgent({ policy, skipSslValidation: true });
  return { dns, policy, agent, tokens: new OAuthTokens(agent, policy) };
}

const client = (tokenUrl: string) => ({ tokenUrl, clientId: 'metrics', clientSecret: SECRET });
const soon = () => Date.now() + 5_000;

describe('connect-time check of the token URL', () => {
  const agents: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    endpoint.connections = 0;
    endpoint.requests.length = 0;
  });

  it.each([
    ['a loopback literal', (port: number) => `https://127.0.0.1:${port}/oauth/token`],
    ['a loopback literal in hex', (port: number) => `https://0x7f000001:${port}/oauth/token`],
    ['an IPv4-mapped loopback', (port: number) => `https://[::ffff:127.0.0.1]:${port}/oauth/token`],
    ['localhost', (port: number) => `https://localhost:${port}/oauth/token`],
    ['a name resolving to 127.0.0.1', (port: number) => `https://auth.tenant.test:${port}/oauth/token`],
    ['plain http', (port: number) => `http://auth.public.test:${port}/oauth/token`],
  ])('refuses %s: token_url_refused, and the endpoint sees no connection', async (_name, url) => {
    const t = tokensWith({
      allowPrivate: false,
      dns: { 'auth.tenant.test': ['127.0.0.1'], 'auth.public.test': [PUBLIC_V4] },
    });
    agents.push(t.agent);
    expect(await t.tokens.get(client(url(endpoint.port)), soon())).toEqual({
      ok: false,
      reason: 'token_url_refused',
    });
    expect(endpoint.connections).toBe(0);
  });

  it('refuses a host outside the allow-list before any lookup', async () => {
    const t = tokensWith({
      allowPrivate: true,
      allowedHosts: ['uaa.sys.example.com'],
      dns: { 'auth.tenant.test': ['127.0.0.1'] },
    });
    agents.push(t.agent);
    const got = await t.tokens.get(client(`https://auth.tenant.test:${endpoint.port}/t`), soon());
    expect(got).toEqual({ ok: false, reason: 'token_url_refused' });
    expect(t.dns.asked).toEqual([]);
    expect(endpoint.connections).toBe(0);
  });

  it('DNS rebinding: the name passes the bind-time check, then resolves to loopback and is refused', async () => {
    const t = tokensWith({ allowPrivate: false, dns: { 'auth.rebind.test': [PUBLIC_V4] } });
    agents.push(t.agent);
    const url = `https://auth.rebind.test:${endpoint.port}/oauth/token`;
    expect(await t.policy.checkUrlResolved(url)).toEqual({ ok: true });
    t.dns.table['auth.rebind.test'] = ['127.0.0.1'];
    expect(await t.tokens.get(client(url), soon())).toEqual({ ok: false, reason: 'token_url_refused' });
    expect(t.dns.asked).toEqual(['auth.rebind.test', 'auth.rebind.test']);
    expect(endpoint.connections).toBe(0);
  });

  it('the agent itself refuses: a request that skips the URL check still cannot dial loopback', async () => {
    const t = tokensWith({ allowPrivate: false, dns: { 'auth.tenant.test': ['127.0.0.1'] } });
    agents.push(t.agent);
    for (const host of ['127.0.0.1', '[::1]', 'auth.tenant.test']) {
      const error = await request(`https://${host}:${endpoint.port}/oauth/token`, {
        method: 'POST',
        dispatcher: t.agent,
        body: 'grant_type=client_credentials',
      }).catch((e: unknown) => e);
      expect(isOutboundRefusal(error), host).toBe(true);
      expect(String((error as Error).message)).not.toContain(SECRET);
    }
    expect(endpoint.connections).toBe(0);
  });

  it('with OUTBOUND_ALLOW_PRIVATE the same name reaches the endpoint and the POST arrives', async () => {
    const t = tokensWith({ allowPrivate: true, dns: { 'auth.tenant.test': ['127.0.0.1'] } });
    agents.push(t.agent);
    const got = await t.tokens.get(client(`https://auth.tenant.test:${endpoint.port}/oauth/token`), soon());
    expect(got).toEqual({ ok: true, token: 'loopback-token' });
    expect(endpoint.requests).toEqual([
      {
        method: 'POST',
        url: '/oauth/token',
        authorization: `Basic ${Buffer.from(`metrics:${SECRET}`).toString('base64')}`,
        body: 'grant_type=client_credentials',
      },
    ]);
  });
});

describe('the whole product: bind accepts the name, the scraper refuses where it resolves to loopback', () => {
  let stack: Stack;
  const brokerDns = fakeDns({ 'auth.rebind.test': [PUBLIC_V4] });
  const scraperDns = fakeDns({ 'auth.rebind.test': ['127.0.0.1'] });

  beforeAll(async () => {
    stack = await startStack({
      env: { OUTBOUND_ALLOW_PRIVATE: 'false' },
      resolveHost: { broker: brokerDns.resolve, scraper: scraperDns.resolve },
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('the instance is up 0 with reason token_url_refused, its neighbour is up 1, the endpoint sees nothing', async () => {
    const { control } = stack.sandbox;
    const org = control.createOrg('org-rebind');
    const s = control.createSpace(org.guid, 'space-rebind');
    const hostile = control.createApp({ spaceGuid: s.guid, name: 'hostile', auth: { type: 'none' } });
    const neighbour = control.createApp({ spaceGuid: s.guid, name: 'neighbour', auth: { type: 'none' } });
    const space = { orgGuid: org.guid, orgName: org.name, spaceGuid: s.guid, spaceName: s.name };
    const { serviceId, planId } = stack.config.broker.catalog;
    const ids = { service_id: serviceId, plan_id: planId };
    const instanceId = randomUUID();
    const base = `/v2/service_instances/${instanceId}`;
    const provisioned = await stack.osb.call('PUT', base, {
      ...ids,
      organization_guid: org.guid,
      space_guid: s.guid,
      context: cfContext(space),
    });
    expect(provisioned.status).toBe(201);
    const bind = (appGuid: string, parameters: Record<string, unknown>) =>
      stack.osb.call('PUT', `${base}/service_bindings/${randomUUID()}`, {
        ...ids,
        app_guid: appGuid,
        bind_resource: { app_guid: appGuid, space_guid: s.guid },
        context: cfContext(space),
        parameters,
      });
    const tokenUrl = `https://auth.rebind.test:${endpoint.port}/oauth/token`;
    const oauth = { type: 'oauth2', token_url: tokenUrl, client_id: 'metrics', client_secret: SECRET };
    expect((await bind(hostile.guid, { auth: oauth })).status).toBe(201);
    expect((await bind(neighbour.guid, { auth: { type: 'none' } })).status).toBe(201);
    expect(brokerDns.asked).toEqual(['auth.rebind.test']);
    const key = await stack.osb.call('PUT', `${base}/service_bindings/${randomUUID()}`, {
      ...ids,
      bind_resource: { credential_client_id: 'cc_service_key_client' },
      context: cfContext(space),
    });
    const credentials = key.body.credentials as { username: string; password: string };
    const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

    const text = await eventually(async () => {
      const res = await request(`${stack.scraperUrl}/v1/spaces/${s.guid}/metrics`, {
        headers: { authorization },
      });
      const body = await res.body.text();
      return samples(body, 'promregator_up').length === 2 ? body : undefined;
    });
    const up = Object.fromEntries(
      samples(text, 'promregator_up').map((l) => [labelOf(l, 'app_name'), l.endsWith(' 1')]),
    );
    expect(up).toEqual({ hostile: false, neighbour: true });
    expect(
      samples(text, 'promregator_scrape_failure').map((l) => [labelOf(l, 'app_name'), labelOf(l, 'reason')]),
    ).toEqual([['hostile', 'token_url_refused']]);
    expect(scraperDns.asked).toContain('auth.rebind.test');
    expect(endpoint.connections).toBe(0);

    const own = await (await request(`${stack.scraperUrl}/metrics`)).body.text();
    expect(own).toMatch(/promregator_scrape_failures_total\{reason="token_url_refused"\} [1-9]/);
  });
});
