import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import type { ScrapeTarget } from '../../common/targets.ts';
import { classifyError, routerReason } from './classify-error.ts';
import { discard } from './discard.ts';
import type { OAuthTokens } from './oauth-tokens.ts';
import { authorizationFor } from './outbound-auth.ts';
import { readLimited } from './read-body.ts';
import type { InstanceRequest, ScrapeOutcome } from './types.ts';

export interface FetchDeps {
  dispatcher: Dispatcher;
  tokens: OAuthTokens;
  maxBodyBytes: number;
  clock?: () => number;
}

/**
 * Fetches one instance's metrics. Every path ends in a ScrapeOutcome: transport errors, non-2xx,
 * redirects (never followed: a 3xx usually means a login page), oversized or badly encoded bodies.
 */
export async function fetchInstance(
  deps: FetchDeps,
  target: ScrapeTarget,
  req: InstanceRequest,
  accept: string,
  deadline: number,
  acceptGzip = true,
): Promise<ScrapeOutcome> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const fail = (reason: string): ScrapeOutcome => ({ ok: false, reason, durationMs: clock() - started });
  const budget = deadline - started;
  if (budget <= 0) return fail('timeout');

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, budget);
  try {
    const auth = await authorizationFor(target.auth, deps.tokens, deadline);
    if (!auth.ok) return fail(auth.reason);
    const headers: Record<string, string> = { accept, 'accept-encoding': acceptGzip ? 'gzip' : 'identity' };
    if (req.instanceHeader !== undefined) headers['x-cf-app-instance'] = req.instanceHeader;
    if (auth.value !== undefined) headers.authorization = auth.value;

    const res = await request(req.url, {
      method: 'GET',
      dispatcher: deps.dispatcher,
      headers,
      signal: controller.signal,
    });
    const status = res.statusCode;
    if (status < 200 || status >= 300) {
      discard(res.body);
      if (status === 401 && target.auth.type === 'oauth2') deps.tokens.invalidate(target.auth);
      if (status >= 300 && status < 400) return fail('redirect');
      return fail(routerReason(res.headers['x-cf-routererror']) ?? `http_${status}`);
    }
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
    const gzip = encoding === 'gzip' || encoding === 'x-gzip';
    if (encoding !== '' && encoding !== 'identity' && !gzip) {
      discard(res.body);
      return fail('bad_encoding');
    }
    const declared = Number(res.headers['content-length']);
    if (!gzip && Number.isFinite(declared) && declared > deps.maxBodyBytes) {
      discard(res.body);
      return fail('body_too_large');
    }
    const body = await readLimited(res.body as unknown as Readable, deps.maxBodyBytes, gzip);
    if (!body.ok) return fail(body.reason);
    const contentType = res.headers['content-type'];
    return {
      ok: true,
      body: body.body,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      durationMs: clock() - started,
    };
  } catch (err) {
    return fail(classifyError(err, timedOut));
  } finally {
    clearTimeout(timer);
  }
}
