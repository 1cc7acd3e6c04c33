import { Agent, type Dispatcher } from 'undici';
import type { CfApiConfig } from '../../common/config/types.ts';
import type { Logger } from '../../common/logging.ts';
import { endpointLabel } from './endpoint-label.ts';
import { CfError } from './errors.ts';
import { describeCcError, type Exchange, exchange, retryAfterMs } from './http-exchange.ts';
import { mergeIncluded } from './merge-included.ts';
import { createTokenProvider } from './token-provider.ts';
import type { CcRequestCounter, CfCredentials, CloudControllerClient, ListResult } from './types.ts';

export interface CloudControllerClientDeps {
  config: CfApiConfig;
  logger: Logger;
  /** Shared keep-alive pool; created (and closed by close()) when not given. */
  dispatcher?: Dispatcher;
  requestCounter?: CcRequestCounter;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Whole-request deadline. Default 15 s. */
  timeoutMs?: number;
  /** Retries of one request after 429, 5xx or a network failure. Default 3. */
  maxRetries?: number;
  /** A Retry-After longer than this fails the request at once (the caller keeps its last good view). Default 30 s. */
  maxRetryAfterMs?: number;
  /** First 5xx/network backoff step, doubled per retry. Default 250 ms. */
  backoffMs?: number;
}

/** Bounds a runaway `next.href` chain (a CC bug must not spin forever). */
const MAX_PAGES = 1_000;

export function credentialsOf(config: CfApiConfig): CfCredentials {
  if (config.clientId && config.clientSecret !== undefined) {
    return { kind: 'client_credentials', clientId: config.clientId, clientSecret: config.clientSecret };
  }
  if (config.username && config.password !== undefined) {
    return { kind: 'password', username: config.username, password: config.password };
  }
  throw new CfError('CF_NOT_CONFIGURED', 'CF credentials: set CF_CLIENT_ID/SECRET or CF_USERNAME/PASSWORD');
}

export function createCloudControllerClient(deps: CloudControllerClientDeps): CloudControllerClient {
  const apiUrl = deps.config.apiUrl?.replace(/\/+$/, '');
  if (!apiUrl) throw new CfError('CF_NOT_CONFIGURED', 'CF_API_URL is not set');
  const credentials = credentialsOf(deps.config);
  const clock = deps.clock ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const maxRetries = deps.maxRetries ?? 3;
  const maxRetryAfterMs = deps.maxRetryAfterMs ?? 30_000;
  const backoffMs = deps.backoffMs ?? 250;
  const ownDispatcher = deps.dispatcher === undefined;
  const dispatcher =
    deps.dispatcher ??
    new Agent({
      keepAliveTimeout: 30_000,
      connections: 16,
      ...(deps.config.skipSslValidation && { connect: { rejectUnauthorized: false } }),
    });
  let closed = false;
  let uaaUrl: Promise<string> | undefined;

  /** One exchange, counted by endpoint and status. */
  async function send(url: string, headers: Record<string, string>): Promise<Exchange> {
    const endpoint = endpointLabel('GET', url);
    try {
      const answer = await exchange(dispatcher, url, { method: 'GET', headers, timeoutMs });
      deps.requestCounter?.inc({ endpoint, status: String(answer.status) });
      return answer;
    } catch (error) {
      deps.requestCounter?.inc({
        endpoint,
        status: (error as CfError).code === 'CF_TIMEOUT' ? 'timeout' : 'error',
      });
      throw error;
    }
  }

  /** The UAA URL from the public root document; kept for the client's life (it does not move). */
  function discoverUaa(): Promise<string> {
    uaaUrl ??= (async () => {
      const root = await withRetries(`${apiUrl}/`, false);
      const links = (root as { links?: Record<string, { href?: unknown } | null> } | undefined)?.links;
      const href = links?.uaa?.href ?? links?.login?.href;
      if (typeof href !== 'string') throw new CfError('CF_BAD_RESPONSE', 'CC root document has no UAA link');
      return href;
    })().catch((error: unknown) => {
      uaaUrl = undefined; // retry discovery next time
      throw error;
    });
    return uaaUrl;
  }

  const tokens = createTokenProvider({
    dispatcher,
    credentials,
    uaaUrl: discoverUaa,
    logger: deps.logger,
    clock,
    timeoutMs,
    ...(deps.requestCounter && { counter: deps.requestCounter }),
  });

  /**
   * GET with the retry policy: 401 → one token refresh; 429 → wait Retry-After (bounded); 5xx and network
   * failures → exponential backoff. Timeouts are not retried: the caller has already waited long enough.
   */
  async function withRetries(url: string, authenticated: boolean): Promise<unknown> {
    let refreshedToken = false;
    for (let attempt = 0; ; attempt++) {
      if (closed) throw new CfError('CF_CLOSED', 'CC client closed');
      const headers: Record<string, string> = { accept: 'application/json' };
      let token: string | undefined;
      if (authenticated) {
        token = await tokens.token();
        headers.authorization = `bearer ${token}`;
      }
      let answer: Exchange;
      try {
        answer = await send(url, headers);
      } catch (error) {
        if ((error as CfError).code === 'CF_UNREACHABLE' && attempt < maxRetries) {
          await sleep(backoffMs * 2 ** attempt);
          continue;
        }
        throw error;
      }
      const { status } = answer;
      if (status >= 200 && status < 300) {
        if (answer.json === undefined || typeof answer.json !== 'object') {
          throw new CfError('CF_BAD_RESPONSE', `${endpointLabel('GET', url)}: body is not JSON`, { status });
        }
        return answer.json;
      }
      if (status === 401 && token !== undefined && !refreshedToken) {
        refreshedToken = true;
        tokens.invalidate(token);
        attempt--; // a token refresh is not a retry of a failing CC
        continue;
      }
      const what = `${endpointLabel('GET', url)}: ${status} ${describeCcError(answer.json)}`.trim();
      if (status === 429) {
        const wait = retryAfterMs(answer.headers['retry-after'], clock()) ?? 1_000;
        if (attempt < maxRetries && wait <= maxRetryAfterMs) {
          deps.logger.info({ waitMs: wait }, 'CC rate limit: waiting for Retry-After');
          await sleep(wait);
          continue;
        }
        throw new CfError('CF_RATE_LIMITED', `${what} (Retry-After ${wait} ms)`, { status });
      }
      if (status >= 500 && attempt < maxRetries) {
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      throw new CfError('CF_HTTP_STATUS', what, { status });
    }
  }

  /** `next.href` is absolute; only its path and query are used, so the token goes nowhere but the API URL. */
  function sameOrigin(href: string): string {
    const next = new URL(href, `${apiUrl}/`);
    return `${apiUrl}${next.pathname}${next.search}`;
  }

  return {
    getJson: <T>(pathAndQuery: string) => withRetries(`${apiUrl}${pathAndQuery}`, true) as Promise<T>,
    async listAll<T>(pathAndQuery: string): Promise<ListResult<T>> {
      const resources: T[] = [];
      const included = new Map<string, Map<string, unknown>>();
      let url: string | undefined = `${apiUrl}${pathAndQuery}`;
      for (let page = 0; url !== undefined; page++) {
        if (page >= MAX_PAGES)
          throw new CfError('CF_BAD_RESPONSE', `${endpointLabel('GET', url)}: too many pages`);
        const body = (await withRetries(url, true)) as {
          resources?: unknown;
          included?: unknown;
          pagination?: { next?: { href?: unknown } | null };
        };
        if (Array.isArray(body.resources)) resources.push(...(body.resources as T[]));
        mergeIncluded(included, body.included);
        const next = body.pagination?.next?.href;
        url = typeof next === 'string' && next !== '' ? sameOrigin(next) : undefined;
      }
      return {
        resources,
        included: Object.fromEntries([...included].map(([kind, byGuid]) => [kind, [...byGuid.values()]])),
      };
    },
    async close() {
      closed = true;
      if (ownDispatcher) await dispatcher.close();
    },
  };
}
