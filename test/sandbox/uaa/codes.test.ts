import { describe, expect, it } from 'vitest';
import { AuthorizationCodes, CODE_LIFETIME_MS } from '../../../sandbox/uaa/codes.ts';

describe('sandbox UAA authorization codes', () => {
  const grant = { clientId: 'c', redirectUri: 'https://x/cb', username: 'u', scopes: ['openid'] };

  it('expire after their short lifetime', () => {
    let now = 1_000_000;
    const codes = new AuthorizationCodes(() => now);
    const fresh = codes.issue(grant);
    const stale = codes.issue(grant);
    expect(codes.redeem(fresh, 'c', 'https://x/cb')).toMatchObject({ username: 'u' });
    now += CODE_LIFETIME_MS;
    expect(codes.redeem(stale, 'c', 'https://x/cb')).toBeUndefined();
  });

  it('are gone after one redemption attempt, even a refused one', () => {
    const codes = new AuthorizationCodes(() => 0);
    const code = codes.issue(grant);
    expect(codes.redeem(code, 'other', 'https://x/cb')).toBeUndefined();
    expect(codes.redeem(code, 'c', 'https://x/cb')).toBeUndefined();
  });
});
