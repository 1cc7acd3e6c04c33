import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { generate } from 'selfsigned';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { type ScraperProcess as Child, spawnScraper } from '../../support/scraper-process.ts';
import { scraperEnv } from '../http/support/scraper-fixture.ts';

// @sap/xssec fetches keys over node:https from https://<uaadomain>/token_keys and reads extra CAs only at
// process start: so the scraper runs as a child process (npm run scraper's entry point) with
// NODE_EXTRA_CA_CERTS naming the self-signed certificate of a local JWKS server.
const XSAPPNAME = 'promregator!t7';
const CLIENT_ID = 'sb-promregator!t7';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('XSUAA bearer tokens (scraper as a child process)', () => {
  let dir: string;
  let jwks: Server;
  let jwksPort: number;
  let signKey: Key;
  let strangerKey: Key;
  let sandbox: Sandbox;
  let database: TestDatabase;
  let good: Child;
  let unreachable: Child;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xsuaa-'));
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    writeFileSync(join(dir, 'ca.pem'), pems.cert);
    const pair = await generateKeyPair('RS256', { extractable: true });
    signKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      if (req.url?.startsWith('/token_keys')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ keys: [jwk] }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    jwksPort = (jwks.address() as AddressInfo).port;

    database = await createTestDatabase();
    sandbox = await startSandbox();
    const org = sandbox.control.createOrg('org-jwt');
    const space = sandbox.control.createSpace(org.guid, 'space-jwt');
    const app = sandbox.control.createApp({ spaceGuid: space.guid, name: 'jwt-app' });
    await database.db('service_instances').insert({
      id: 'inst-jwt',
      service_id: 's',
      plan_id: 'p',
      organization_guid: org.guid,
      organization_name: org.name,
      space_guid: space.guid,
      space_name: space.name,
      parameters: '{}',
      request_digest: 'd',
    });
    await database.db('service_bindings').insert({
      id: 'bind-jwt',
      instance_id: 'inst-jwt',
      kind: 'app',
      app_guid: app.guid,
      parameters: JSON.stringify({ auth: { type: 'none' } }),
      request_digest: 'd',
    });
    spaceGuid = space.guid;
    const vcap = (port: number) =>
      JSON.stringify({
        xsuaa: [
          {
            label: 'xsuaa',
            name: 'promregator-uaa',
            credentials: {
              clientid: CLIENT_ID,
              clientsecret: 'unused',
              url: `https://localhost:${port}`,
              uaadomain: `localhost:${port}`,
              xsappname: XSAPPNAME,
            },
          },
        ],
      });
    const base = scraperEnv(sandbox, database, {
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    });
    [good, unreachable] = await Promise.all([
      spawnScraper({ ...base, VCAP_SERVICES: vcap(jwksPort) }),
      spawnScraper({ ...base, VCAP_SERVICES: vcap(1) }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([good?.stop(), unreachable?.stop()]);
    jwks?.close();
    await sandbox?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let spaceGuid: string;

  async function token(opts: { scope?: string[]; aud?: string[]; exp?: number; key?: Key } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      scope: opts.scope ?? [`${XSAPPNAME}.Read`],
      client_id: 'prometheus',
      cid: 'prometheus',
      azp: 'prometheus',
      zid: 'zone-1',
      grant_type: 'client_credentials',
      aud: opts.aud ?? [XSAPPNAME, 'prometheus'],
      ext_attr: { enhancer: 'XSUAA' },
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1', jku: `https://localhost:${jwksPort}/token_keys` })
      .setIssuedAt(now - 60)
      .setExpirationTime(opts.exp ?? now + 600)
      .setIssuer(`https://localhost:${jwksPort}/oauth/token`)
      .sign(opts.key ?? signKey);
  }

  const scrape = async (child: Child, jwt: string) => {
    const res = await request(`${child.url}/v1/spaces/${spaceGuid}/metrics`, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, challenge: res.headers['www-authenticate'] };
  };

  it('a valid token with the read scope reads everything', async () => {
    let res = await scrape(good, await token());
    for (let i = 0; i < 50 && !res.text.includes('jwt-app'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      res = await scrape(good, await token());
    }
    expect(res.status).toBe(200);
    expect(res.text).toContain('app_name="jwt-app"');
  });

  it.each([
    ['expired', () => token({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['wrong audience', () => token({ aud: ['someone-else'], scope: ['someone-else.Read'] })],
    ['badly signed', () => token({ key: strangerKey })],
    ['not a JWT', async () => 'not.a.jwt'],
  ])('%s → 401', async (_name, make) => {
    const res = await scrape(good, await make());
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Basic realm="promregator"');
  });

  it('a valid token without the read scope → 403', async () => {
    const res = await scrape(good, await token({ scope: [`${XSAPPNAME}.Write`] }));
    expect(res.status).toBe(403);
  });

  it('token keys unreachable → 503, not 401', async () => {
    const res = await scrape(unreachable, await token());
    expect(res.status).toBe(503);
  });

  it('SIGTERM drains and exits 0', async () => {
    expect(await unreachable.stop()).toBe(0);
  });
});
