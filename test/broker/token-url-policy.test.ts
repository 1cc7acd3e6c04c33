import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDns, PUBLIC_V4 } from '../support/fake-dns.ts';
import { CloudController } from './support/cc.ts';
import { startTestBroker, type TestBroker } from './support/harness.ts';

// A binding's auth.token_url is where the scraper later POSTs the client secret from inside the platform
// network: the broker refuses, at bind, every URL the outbound policy refuses.
const dns = fakeDns({
  'uaa.example.com': [PUBLIC_V4],
  'tenant.authentication.eu10.hana.ondemand.com': [PUBLIC_V4],
  'rebind.example.com': ['127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'corp.example.com': ['10.20.30.40'],
  localhost: ['127.0.0.1', '::1'],
});
const SECRET = 'token-url-secret-0123';

let open: TestBroker;
let listed: TestBroker;
let local: TestBroker;

beforeAll(async () => {
  open = await startTestBroker({ resolveHost: dns.resolve });
  listed = await startTestBroker({
    db: open.db,
    resolveHost: dns.resolve,
    env: { OAUTH2_TOKEN_HOSTS: '*.authentication.*.hana.ondemand.com,uaa.sys.example.com' },
  });
  local = await startTestBroker({
    db: open.db,
    resolveHost: dns.resolve,
    env: { OUTBOUND_ALLOW_PRIVATE: 'true' },
  });
});
afterAll(async () => {
  await local?.close();
  await listed?.close();
  await open?.close();
});

const oauth2 = (token_url: string) => ({
  auth: { type: 'oauth2', token_url, client_id: 'metrics', client_secret: SECRET },
});

async function bind(broker: TestBroker, tokenUrl: string) {
  const cc = new CloudController(broker.url, broker.config.broker.catalog);
  const instanceId = randomUUID();
  expect((await cc.provision(instanceId)).status).toBe(201);
  const bindingId = randomUUID();
  const reply = await cc.bindApp(instanceId, bindingId, oauth2(tokenUrl));
  const stored = await broker.db('service_bindings').where({ id: bindingId }).first('id');
  return { ...reply, stored: stored !== undefined };
}

const refused: Array<[url: string, description: string]> = [
  ['http://uaa.example.com/oauth/token', 'parameters.auth.token_url: must use https'],
  ['https://127.0.0.1/oauth/token', 'parameters.auth.token_url: 127.0.0.1 is a loopback address'],
  ['https://2130706433/oauth/token', 'parameters.auth.token_url: 127.0.0.1 is a loopback address'],
  ['https://0x7f.0.0.1/oauth/token', 'parameters.auth.token_url: 127.0.0.1 is a loopback address'],
  ['https://0177.0.0.1/oauth/token', 'parameters.auth.token_url: 127.0.0.1 is a loopback address'],
  ['https://127.1/oauth/token', 'parameters.auth.token_url: 127.0.0.1 is a loopback address'],
  ['https://[::1]/oauth/token', 'parameters.auth.token_url: ::1 is a loopback address'],
  [
    'https://[::ffff:127.0.0.1]/oauth/token',
    'parameters.auth.token_url: ::ffff:7f00:1 leads to 127.0.0.1, a loopback address',
  ],
  ['https://[::]/oauth/token', 'parameters.auth.token_url: :: is an unspecified address'],
  [
    'https://169.254.169.254/latest/meta-data',
    'parameters.auth.token_url: 169.254.169.254 is a link-local address',
  ],
  ['https://10.0.0.8/oauth/token', 'parameters.auth.token_url: 10.0.0.8 is a private address'],
  ['https://100.64.1.1/oauth/token', 'parameters.auth.token_url: 100.64.1.1 is a shared (CGNAT) address'],
  ['https://[fd00::53]/oauth/token', 'parameters.auth.token_url: fd00::53 is a unique-local address'],
  ['https://[ff02::1]/oauth/token', 'parameters.auth.token_url: ff02::1 is a multicast address'],
  [
    'https://[64:ff9b::192.168.0.1]/oauth/token',
    'parameters.auth.token_url: 64:ff9b::c0a8:1 leads to 192.168.0.1, a private address',
  ],
  ['https://localhost/oauth/token', 'parameters.auth.token_url: localhost is a loopback name'],
  ['https://uaa.localhost/oauth/token', 'parameters.auth.token_url: uaa.localhost is a loopback name'],
  [
    'https://rebind.example.com/oauth/token',
    'parameters.auth.token_url: rebind.example.com resolves to 127.0.0.1, a loopback address',
  ],
  [
    'https://metadata.example.com/oauth/token',
    'parameters.auth.token_url: metadata.example.com resolves to 169.254.169.254, a link-local address',
  ],
  [
    'https://corp.example.com/oauth/token',
    'parameters.auth.token_url: corp.example.com resolves to 10.20.30.40, a private address',
  ],
  [
    'https://nowhere.example.com/oauth/token',
    'parameters.auth.token_url: nowhere.example.com does not resolve (ENOTFOUND)',
  ],
  [
    'https://metrics:pw@uaa.example.com/oauth/token',
    'parameters.auth.token_url: must not carry credentials (give them as client_id and client_secret)',
  ],
];

describe('bind refuses token URLs outside the outbound policy', () => {
  it.each(refused)('%s: 400 "%s", nothing stored', async (url, description) => {
    const reply = await bind(open, url);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ description });
    expect(reply.stored).toBe(false);
    expect(reply.text).not.toContain(SECRET);
  });

  it('accepts a public https host, resolving it through the injected resolver only', async () => {
    const reply = await bind(open, 'https://uaa.example.com/oauth/token');
    expect(reply.status).toBe(201);
    expect(reply.stored).toBe(true);
    expect(dns.asked).toContain('uaa.example.com');
    expect(open.logs()).not.toContain(SECRET);
  });

  it('an instance parameter cannot carry auth at all, on create or update', async () => {
    const cc = new CloudController(open.url, open.config.broker.catalog);
    const created = await cc.provision(randomUUID(), oauth2('https://127.0.0.1/oauth/token'));
    expect(created.status).toBe(400);
    expect(created.body.description).toMatch(/^parameters\.auth: unknown field/);
    const id = randomUUID();
    expect((await cc.provision(id)).status).toBe(201);
    const updated = await cc.update(id, oauth2('https://127.0.0.1/oauth/token'));
    expect(updated.status).toBe(400);
    expect(updated.body.description).toMatch(/^parameters\.auth: unknown field/);
  });
});

describe("the operator's allow-list (OAUTH2_TOKEN_HOSTS)", () => {
  it('accepts a host matching a pattern, `*` standing for one label', async () => {
    const reply = await bind(listed, 'https://tenant.authentication.eu10.hana.ondemand.com/oauth/token');
    expect(reply.status).toBe(201);
  });

  it.each([
    'https://uaa.example.com/oauth/token',
    'https://a.tenant.authentication.eu10.hana.ondemand.com/oauth/token',
  ])('refuses %s, a public host outside the list', async (url) => {
    const reply = await bind(listed, url);
    expect(reply.status).toBe(400);
    expect(reply.body.description).toBe(
      `parameters.auth.token_url: ${new URL(url).hostname} is not a host the operator allows ` +
        '(*.authentication.*.hana.ondemand.com, uaa.sys.example.com)',
    );
  });
});

describe('OUTBOUND_ALLOW_PRIVATE (local mode and tests)', () => {
  it.each([
    'http://127.0.0.1:8080/oauth/token',
    'https://localhost/oauth/token',
    'https://rebind.example.com/oauth/token',
  ])('accepts %s', async (url) => {
    expect((await bind(local, url)).status).toBe(201);
  });

  it('still refuses what is not http(s)', async () => {
    const reply = await bind(local, 'ftp://127.0.0.1/token');
    expect(reply.status).toBe(400);
  });
});
