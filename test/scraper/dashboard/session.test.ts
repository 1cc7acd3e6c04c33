import { describe, expect, it } from 'vitest';
import { SecretKeys } from '../../../common/secrets.ts';
import { PermissionCache } from '../../../scraper/dashboard/index.ts';
import { SessionCodec } from '../../../scraper/dashboard/session.ts';

const KEY = 'session-test-key-0123456789';

function codec(now: () => number, keys = new SecretKeys(KEY), secure = true) {
  return new SessionCodec({ keys, secure, clock: now });
}
const cookieOf = (setCookie: string) => setCookie.split(';')[0] ?? '';

describe('dashboard session cookie', () => {
  it('round-trips, and hides what it carries', () => {
    const c = codec(() => 1_000);
    const set = c.cookie({ pending: { state: 'st', instanceId: 'i-1' }, expiresAt: 61_000 });
    expect(set).toMatch(/; Path=\/dashboard; Max-Age=60; HttpOnly; SameSite=Lax; Secure$/);
    expect(set).not.toContain('i-1');
    expect(c.read(cookieOf(set))).toEqual({ pending: { state: 'st', instanceId: 'i-1' }, expiresAt: 61_000 });
  });

  it('refuses an altered, truncated or foreign-key cookie', () => {
    const c = codec(() => 0);
    const value = cookieOf(c.cookie({ expiresAt: 10_000 }));
    const flipped = value.slice(0, 40) + (value[40] === 'a' ? 'b' : 'a') + value.slice(41);
    expect(c.read(flipped)).toBeUndefined();
    expect(c.read(value.slice(0, -4))).toBeUndefined();
    expect(codec(() => 0, new SecretKeys('another-key-0123456789abc')).read(value)).toBeUndefined();
  });

  it('is still read after a key rotation (old key in CREDENTIALS_KEY_PREVIOUS)', () => {
    const value = cookieOf(codec(() => 0).cookie({ expiresAt: 10_000 }));
    const rotated = new SecretKeys('the-new-key-0123456789abcdef', [KEY]);
    expect(codec(() => 0, rotated).read(value)).toEqual({ expiresAt: 10_000 });
  });

  it('counts as absent once expired, whatever the browser still sends', () => {
    let now = 0;
    const c = codec(() => now);
    const value = cookieOf(c.cookie({ expiresAt: 5_000 }));
    now = 5_000;
    expect(c.read(value)).toBeUndefined();
  });
});

describe('PermissionCache', () => {
  it('reuses a verdict for the TTL, then asks again', () => {
    let now = 0;
    const cache = new PermissionCache(60_000, () => now);
    cache.set('u', 'i', { read: true, manage: false });
    now = 59_999;
    expect(cache.get('u', 'i')).toEqual({ read: true, manage: false });
    now = 60_000;
    expect(cache.get('u', 'i')).toBeUndefined();
  });

  it('stays within its bound and forgets a user at logout', () => {
    const cache = new PermissionCache(60_000, () => 0, 2);
    cache.set('u1', 'a', { read: true, manage: true });
    cache.set('u2', 'a', { read: true, manage: true });
    cache.set('u3', 'a', { read: true, manage: true });
    expect(cache.get('u1', 'a')).toBeUndefined();
    cache.forgetUser('u2');
    expect(cache.get('u2', 'a')).toBeUndefined();
    expect(cache.get('u3', 'a')).toBeDefined();
  });
});
