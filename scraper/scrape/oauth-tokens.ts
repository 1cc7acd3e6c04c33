import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { isOutboundRefusal, type OutboundPolicy } from '../../common/outbound/policy.ts';
import { discard } from './discard.ts';

export interface OAuthClient {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
}

/**
 * `token_url_refused`: the outbound policy refused the token URL or the address its host resolved to,
 * and nothing was sent; `auth_token`: the endpoint failed or answered no token.
 */
export type TokenResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'auth_token' | 'token_url_refused' };

interface Cached {
  token: string;
  /** When the token stops being handed out: shortly before its real expiry. */
  refreshAt: number;
}

/** Tokens are renewed this long before expiry (or at 80 % of a shorter lifetime). */
const EARLY_MS = 60_000;
const MAX_TOKEN_BODY = 64 * 1024;

/**
 * Client-credentials tokens for targets with auth type oauth2: cached until shortly before expiry, one
 * fetch in flight per client (concurrent scrapes of one app wait for the same token). A failed fetch is
 * not cached, so the next scrape tries again. The token URL is the tenant's: the outbound policy checks
 * it before the request, and the dispatcher (token-agent.ts) checks again the address it dials.
 */
export class OAuthTokens {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<TokenResult>>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly policy: OutboundPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(client: OAuthClient, deadline: number): Promise<TokenResult> {
    const key = cacheKey(client);
    const cached = this.cache.get(key);
    if (cached && cached.refreshAt > this.clock()) return { ok: true, token: cached.token };
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetch(client, key, deadline).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** The app refused the token (401): drop it, so the next scrape fetches a fresh one. */
  invalidate(client: OAuthClient): void {
    this.cache.delete(cacheKey(client));
  }

  private async fetch(client: OAuthClient, key: string, deadline: number): Promise<TokenResult> {
    if (!this.policy.checkUrl(client.tokenUrl).ok) return { ok: false, reason: 'token_url_refused' };
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (client.scopes && client.scopes.length > 0) form.set('scope', client.scopes.join(' '));
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
    try {
      const started = this.clock();
      const res = await request(client.tokenUrl, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(Math.min(Math.max(1, deadline - started), 60_000)),
      });
      const text = await readCapped(res.body as unknown as Readable, MAX_TOKEN_BODY);
      if (res.statusCode !== 200 || text === undefined) return { ok: false, reason: 'auth_token' };
      const json = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
      if (typeof json.access_token !== 'string') return { ok: false, reason: 'auth_token' };
      const lifetimeMs = typeof json.expires_in === 'number' ? json.expires_in * 1000 : 300_000;
      const early = Math.min(EARLY_MS, lifetimeMs * 0.2);
      this.cache.set(key, { token: json.access_token, refreshAt: started + lifetimeMs - early });
      return { ok: true, token: json.access_token };
    } catch (error) {
      return { ok: false, reason: isOutboundRefusal(error) ? 'token_url_refused' : 'auth_token' };
    }
  }
}

function cacheKey(c: OAuthClient): string {
  // The secret is part of the identity (a rotated secret must not reuse the old token) but never stored.
  const secret = createHash('sha256').update(c.clientSecret).digest('base64url');
  return [c.tokenUrl, c.clientId, secret, (c.scopes ?? []).join(' ')].join('\0');
}

async function readCapped(body: Readable, cap: number) {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > cap) {
      discard(body);
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
