import { describe, expect, it } from 'vitest';
import { SecretKeys } from '../../../common/secrets.ts';
import { type AuthFailureCode, createAuthenticator } from '../../../scraper/auth/authenticate.ts';
import { FailureLimiter } from '../../../scraper/auth/failure-limiter.ts';
import type { JwtVerdict } from '../../../scraper/auth/xsuaa.ts';
import type { BindingsSnapshot, ServiceKeyRecord } from '../../../scraper/bindings/types.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const PASSWORD = 's3cret:with:colons';

function setup(verdict: JwtVerdict | undefined, limiter = new FailureLimiter()) {
  const keys = new SecretKeys('authenticate-test-key');
  const record: ServiceKeyRecord = {
    bindingId: 'k1',
    instanceId: 'inst-1',
    username: 'alice',
    passwordHash: keys.keyPasswordVerifier(PASSWORD),
    keyId: keys.currentId,
  };
  let snapshot: BindingsSnapshot = {
    targets: [],
    keys: new Map([['alice', record]]),
    instances: new Map(),
    loadedAt: 1,
  };
  const failures: AuthFailureCode[] = [];
  const auth = createAuthenticator({
    bindings: { snapshot: () => snapshot },
    keys,
    limiter,
    jwt: verdict && { verify: async () => verdict },
    onFailure: (code) => failures.push(code),
  });
  return { auth, failures, drop: () => (snapshot = { ...snapshot, keys: new Map() }) };
}

describe('authenticate', () => {
  it('a service key reads its own instance', async () => {
    const { auth, failures } = setup(undefined);
    expect(await auth(basic('alice', PASSWORD))).toEqual({
      ok: true,
      caller: { kind: 'key', instanceId: 'inst-1' },
    });
    expect(failures).toEqual([]);
  });

  it('a deleted key stops working at once', async () => {
    const { auth, drop } = setup(undefined);
    const header = basic('alice', PASSWORD);
    expect((await auth(header)).ok).toBe(true);
    drop();
    expect(await auth(header)).toEqual({ ok: false, status: 401, code: 'unknown_user' });
  });

  it('past the threshold wrong passwords get 429 with a wait, while the right one still gets in', async () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter({ threshold: 3, windowMs: 60_000, clock: () => now });
    const { auth, failures } = setup(undefined, limiter);
    const wrong = basic('alice', 'guess');
    for (let i = 0; i < 3; i++)
      expect(await auth(wrong)).toMatchObject({ status: 401, code: 'wrong_password' });
    now += 10_000;
    expect(await auth(wrong)).toEqual({
      ok: false,
      status: 429,
      code: 'rate_limited',
      retryAfterSeconds: 50,
    });
    expect((await auth(basic('alice', PASSWORD))).ok).toBe(true);
    // Unknown users are not tracked: guessing names costs nothing and fills nothing.
    expect(await auth(basic('mallory', 'x'))).toMatchObject({ status: 401, code: 'unknown_user' });
    expect(limiter.size).toBe(1);
    // The window slides: once the early failures age out, a wrong password is a plain 401 again.
    now += 60_001;
    expect(await auth(wrong)).toMatchObject({ status: 401, code: 'wrong_password' });
    expect(failures).toEqual([
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'rate_limited',
      'unknown_user',
      'wrong_password',
    ]);
  });

  it('a password checked under another credentials key does not verify', () => {
    const keys = new SecretKeys('authenticate-test-key');
    const other = new SecretKeys('another-test-key-123');
    const verifier = other.keyPasswordVerifier(PASSWORD);
    expect(keys.checkKeyPassword(PASSWORD, verifier, other.currentId)).toBe(false);
    expect(keys.checkKeyPassword(PASSWORD, verifier, keys.currentId)).toBe(false);
    expect(other.checkKeyPassword(PASSWORD, verifier, other.currentId)).toBe(true);
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
    const { auth } = setup(verdict);
    const result = await auth(header);
    expect(result.ok ? 200 : result.status).toBe(status);
  });
});
