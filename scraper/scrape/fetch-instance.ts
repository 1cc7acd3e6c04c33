import type { Dispatcher } from 'undici';
import type { ScrapeTarget } from '../../common/targets.ts';
import { classifyError, routerReason } from './classify-error.ts';
import { type BodySink, type CollectCall, collectResponse } from './collect-response.ts';
import type { OAuthTokens } from './oauth-tokens.ts';
import { authorizationFor } from './outbound-auth.ts';
import type { InstanceRequest, ScrapeOutcome } from './types.ts';

export interface FetchDeps {
  dispatcher: Dispatcher;
  tokens: OAuthTokens;
  maxBodyBytes: number;
  /**
   * Told the bytes of every buffer a body came through (socket reads, zlib's output) once it is copied
   * out of it: garbage from then on, which the owner may collect (scraper/young-gc.ts).
   */
  onBufferGarbage?: (bytes: number) => void;
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
  /** Where the body goes (e.g. a scrape's BodyArena); default: a buffer of its own. */
  sink?: BodySink,
): Promise<ScrapeOutcome> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const fail = (reason: string, detail?: string): ScrapeOutcome => ({
    ok: false,
    reason,
    durationMs: clock() - started,
    ...(detail !== undefined && { detail: boundDetail(detail) }),
  });
  const budget = deadline - started;
  if (budget <= 0) return fail('timeout');

  let timedOut = false;
  let call: CollectCall | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    call?.abort(new Error('scrape deadline passed'));
  }, budget);
  try {
    const auth = await authorizationFor(target.auth, deps.tokens, deadline);
    if (!auth.ok) return fail(auth.reason);
    if (timedOut) return fail('timeout');
    const headers: Record<string, string> = { accept, 'accept-encoding': acceptGzip ? 'gzip' : 'identity' };
    if (req.instanceHeader !== undefined) headers['x-cf-app-instance'] = req.instanceHeader;
    if (auth.value !== undefined) headers.authorization = auth.value;

    call = collectResponse({
      dispatcher: deps.dispatcher,
      url: req.url,
      headers,
      maxBodyBytes: deps.maxBodyBytes,
      ...(sink === undefined ? {} : { sink }),
      ...(deps.onBufferGarbage === undefined ? {} : { onGarbage: deps.onBufferGarbage }),
    });
    const res = await call.response;
    if (res.kind === 'refused') return fail(res.reason);
    if (res.kind === 'status') {
      const status = res.status;
      if (status === 401 && target.auth.type === 'oauth2') deps.tokens.invalidate(target.auth);
      const routerError = res.headers['x-cf-routererror'];
      const detail = `HTTP ${status}${routerError === undefined ? '' : `, X-Cf-Routererror: ${String(routerError)}`}`;
      if (status >= 300 && status < 400) return fail('redirect', detail);
      return fail(routerReason(routerError) ?? `http_${status}`, detail);
    }
    const contentType = res.headers['content-type'];
    return {
      ok: true,
      body: res.body,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      durationMs: clock() - started,
    };
  } catch (err) {
    return fail(
      classifyError(err, timedOut),
      timedOut ? `no answer within ${budget} ms` : (err as Error)?.message,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** A detail is tenant-influenced text shown on the dashboard: one line, bounded. */
export function boundDetail(text: string, max = 300): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
