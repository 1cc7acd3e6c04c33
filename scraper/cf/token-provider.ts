import type { Dispatcher } from 'undici';
import type { Logger } from '../../common/logging.ts';
import { CfError } from './errors.ts';
import { exchange } from './http-exchange.ts';
import type { CcRequestCounter, CfCredentials } from './types.ts';

export interface TokenProviderDeps {
  dispatcher: Dispatcher;
  credentials: CfCredentials;
  /** The UAA base URL (read lazily from the CC root document). */
  uaaUrl: () => Promise<string>;
  logger: Logger;
  clock: () => number;
  timeoutMs: number;
  counter?: CcRequestCounter;
}

export interface TokenProvider {
  /** A bearer token valid for a while; refreshes before expiry. Concurrent callers share one UAA request. */
  token(): Promise<string>;
  /** The CC refused `token` (401): the next token() fetches a new one. A stale token is ignored. */
  invalidate(token: string): void;
}

interface Held {
  value: string;
  refreshAt: number;
  expiresAt: number;
}

/** Refresh when min(60 s, 20 % of the lifetime) is left: early enough for long tokens, not constant for short ones. */
function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs * 0.2);
}

export function createTokenProvider(deps: TokenProviderDeps): TokenProvider {
  let held: Held | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<Held> {
    const uaa = await deps.uaaUrl();
    const form = new URLSearchParams();
    let basic: string;
    if (deps.credentials.kind === 'client_credentials') {
      form.set('grant_type', 'client_credentials');
      basic = `${deps.credentials.clientId}:${deps.credentials.clientSecret}`;
    } else {
      // The CF CLI's public client: id `cf`, empty secret.
      form.set('grant_type', 'password');
      form.set('username', deps.credentials.username);
      form.set('password', deps.credentials.password);
      basic = 'cf:';
    }
    const url = new URL('oauth/token', uaa.endsWith('/') ? uaa : `${uaa}/`).toString();
    const started = deps.clock();
    let answer: Awaited<ReturnType<typeof exchange>>;
    try {
      answer = await exchange(deps.dispatcher, url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs: deps.timeoutMs,
      });
    } catch (error) {
      deps.counter?.inc({
        endpoint: 'POST /oauth/token',
        status: (error as CfError).code === 'CF_TIMEOUT' ? 'timeout' : 'error',
      });
      throw new CfError('CF_TOKEN_FAILED', `UAA token request failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    deps.counter?.inc({ endpoint: 'POST /oauth/token', status: String(answer.status) });
    const body = answer.json as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (answer.status !== 200 || typeof body?.access_token !== 'string') {
      const reason = typeof body?.error === 'string' ? body.error : 'no access_token';
      throw new CfError('CF_TOKEN_FAILED', `UAA refused the token request: ${answer.status} ${reason}`, {
        status: answer.status,
      });
    }
    // expires_in may be absent: assume a short life rather than using a token until the CC refuses it.
    const lifetimeMs =
      (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300) * 1000;
    return {
      value: body.access_token,
      expiresAt: started + lifetimeMs,
      refreshAt: started + lifetimeMs - refreshMarginMs(lifetimeMs),
    };
  }

  function refresh(): Promise<string> {
    inFlight ??= fetchToken()
      .then((next) => {
        held = next;
        deps.logger.debug({ expiresInMs: next.expiresAt - deps.clock() }, 'CF token refreshed');
        return next.value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    async token() {
      const now = deps.clock();
      if (held && now < held.refreshAt) return held.value;
      if (held && now < held.expiresAt) {
        // Due for refresh but still valid: a failed refresh must not fail this caller.
        const still = held.value;
        return refresh().catch((error: unknown) => {
          deps.logger.warn(
            { err: (error as Error).message },
            'CF token refresh failed, using the current one',
          );
          return still;
        });
      }
      return refresh();
    },
    invalidate(token) {
      if (held?.value === token) held = undefined;
    },
  };
}
