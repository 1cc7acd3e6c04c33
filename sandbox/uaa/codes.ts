import { randomBytes } from 'node:crypto';

// Authorization codes as UAA keeps them: single-use, short-lived, bound to the client and redirect_uri
// they were issued for.

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  username: string;
  scopes: string[];
  expiresAt: number;
}

/** UAA's default code lifetime. */
export const CODE_LIFETIME_MS = 5 * 60_000;
/** Unredeemed codes kept at most; the oldest is dropped beyond it. */
const MAX_CODES = 10_000;

export class AuthorizationCodes {
  private readonly codes = new Map<string, CodeGrant>();

  constructor(private readonly now: () => number) {}

  issue(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = randomBytes(12).toString('base64url');
    if (this.codes.size >= MAX_CODES) {
      const oldest = this.codes.keys().next().value;
      if (oldest !== undefined) this.codes.delete(oldest);
    }
    this.codes.set(code, { ...grant, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** Redeems a code: it is gone afterwards whatever the outcome (a replay never succeeds). */
  redeem(code: string, clientId: string, redirectUri: string | null): CodeGrant | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.expiresAt <= this.now()) return undefined;
    if (grant.clientId !== clientId || grant.redirectUri !== redirectUri) return undefined;
    return grant;
  }
}
