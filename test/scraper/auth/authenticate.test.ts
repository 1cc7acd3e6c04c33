import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../common/secrets.ts';
import { createAuthenticator } from '../../../scraper/auth/authenticate.ts';
import { KeyVerifier } from '../../../scraper/auth/key-verifier.ts';
import type { JwtVerdict } from '../../../scraper/auth/xsuaa.ts';
import type { BindingsSnapshot, ServiceKeyRecord } from '../../../scraper/bindings/types.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function setup(verdict: JwtVerdict | undefined) {
  const record: ServiceKeyRecord = {
    bindingId: 'k1',
    instanceId: 'inst-1',
    username: 'alice',
    passwordHash: await hashPassword('s3cret:with:colons'),
  };
  let snapshot: BindingsSnapshot = {
    targets: [],
    keys: new Map([['alice', record]]),
    instances: new Map(),
    loadedAt: 1,
  };
  const lookups: boolean[] = [];
  const auth = createAuthenticator({
    bindings: { snapshot: () => snapshot },
    keys: new KeyVerifier(),
    jwt: verdict && { verify: async () => verdict },
    onCacheLookup: (hit) => lookups.push(hit),
  });
  return { auth, lookups, drop: () => (snapshot = { ...snapshot, keys: new Map() }) };
}

describe('authenticate', () => {
  it('a service key reads its own instance; the verdict is cached, not re-hashed', async () => {
    const { auth, lookups } = await setup(undefined);
    const header = basic('alice', 's3cret:with:colons');
    expect(await auth(header)).toEqual({ ok: true, caller: { kind: 'key', instanceId: 'inst-1' } });
    expect(await auth(header)).toEqual({ ok: true, caller: { kind: 'key', instanceId: 'inst-1' } });
    expect(lookups).toEqual([false, true]);
  });

  it('a deleted key stops working at once, cache or not', async () => {
    const { auth, drop } = await setup(undefined);
    const header = basic('alice', 's3cret:with:colons');
    expect((await auth(header)).ok).toBe(true);
    drop();
    expect(await auth(header)).toEqual({ ok: false, status: 401, code: 'bad_credentials' });
  });

  it.each([
    [undefined, undefined, 401],
    [basic('alice', 'wrong'), undefined, 401],
    ['Bearer x.y.z', { kind: 'reader' } as const, 200],
    ['Bearer x.y.z', { kind: 'forbidden' } as const, 403],
    ['Bearer x.y.z', { kind: 'invalid', why: 'expired' } as const, 401],
    ['Bearer x.y.z', { kind: 'unavailable' } as const, 503],
    ['Bearer x.y.z', undefined, 401],
    ['Digest abc', undefined, 401],
  ])('%s with JWT verdict %j → %s', async (header, verdict, status) => {
    const { auth } = await setup(verdict);
    const result = await auth(header);
    expect(result.ok ? 200 : result.status).toBe(status);
  });
});
