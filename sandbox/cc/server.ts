import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sleep } from '../net/http.ts';
import type { RequestCounter } from '../net/request-counter.ts';
import type { CcFailure } from '../types.ts';
import type { TokenIssuer } from '../uaa/tokens.ts';
import { type Endpoint, matchEndpoint } from './endpoints.ts';
import { type CfError, cfErrors, errorForStatus, isCfError, sendCfError } from './errors.ts';
import type { PresentContext } from './presenters.ts';
import { exemptFromRateLimit, type RateLimiter } from './rate-limit.ts';

export interface CcSettings {
  latencyMs: number;
  failure: CcFailure | null;
  /** Injected failures of one endpoint template (`/v3/audit_events`), applied after the global one. */
  endpointFailures: Map<string, CcFailure>;
}

const READ_ALL_SCOPES = [
  'cloud_controller.admin',
  'cloud_controller.admin_read_only',
  'cloud_controller.global_auditor',
];

const USER_AUDIENCES = ['cloud_controller', 'cloud_controller_service_permissions'];
const USER_SCOPES = [
  ...READ_ALL_SCOPES,
  'cloud_controller.read',
  'cloud_controller_service_permissions.read',
];

/**
 * Request pipeline: count → injected failure → latency → auth (401/403) → rate limit (429) → endpoint.
 * Counting first means tests see every call the client made, including refused ones.
 */
export function createCcHandler(
  ctx: PresentContext,
  endpoints: Endpoint[],
  issuer: TokenIssuer,
  limiter: RateLimiter,
  settings: CcSettings,
  counter: RequestCounter,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', ctx.ccUrl);
    const method = req.method ?? 'GET';
    const match = matchEndpoint(endpoints, url.pathname);
    counter.count(`${method} ${match ? match.endpoint.template : '*'}`, true);
    // Request bodies are irrelevant to a read-only CC; drain so keep-alive works.
    req.resume();

    const failure = settings.failure ?? (match && settings.endpointFailures.get(match.endpoint.template));
    if (failure && 'hang' in failure) return; // the socket stays open until the client or stop() gives up
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (failure && 'status' in failure) return sendCfError(res, errorForStatus(failure.status));
    if (failure && 'rateLimit' in failure) {
      return sendCfError(res, cfErrors.rateLimitExceeded(), {
        'retry-after': String(failure.rateLimit.retryAfterSeconds),
      });
    }
    if (!match || (method !== 'GET' && method !== 'HEAD')) return sendCfError(res, cfErrors.unknownRequest());

    let headers: Record<string, string> = {};
    let caller: { user: string; scopes: string[] } | undefined;
    if (!match.endpoint.public) {
      const auth = await authorize(req, match.endpoint.access);
      caller = isCfError(auth) ? undefined : auth;
      if (isCfError(auth)) return sendCfError(res, auth);
      const needed = match.endpoint.scopes;
      if (needed && !auth.scopes.some((s) => needed.includes(s))) {
        return sendCfError(res, cfErrors.notAuthorized());
      }
      if (!exemptFromRateLimit(auth.scopes)) {
        const decision = limiter.take(auth.user);
        headers = decision.headers;
        if (decision.exceeded) {
          return sendCfError(res, cfErrors.rateLimitExceeded(), {
            ...headers,
            'retry-after': String(decision.retryAfterSeconds),
          });
        }
      }
    }
    const result = match.endpoint.handle(ctx, {
      params: match.params,
      search: url.searchParams,
      path: url.pathname,
      ...(caller && { caller }),
    });
    if (isCfError(result)) return sendCfError(res, result, headers);
    sendJson(res, result.status, result.body, headers);
  }

  async function authorize(
    req: IncomingMessage,
    access: Endpoint['access'],
  ): Promise<{ user: string; scopes: string[] } | CfError> {
    const header = req.headers.authorization;
    if (!header) return cfErrors.notAuthenticated();
    const m = /^bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) return cfErrors.invalidAuthToken();
    const verified = await issuer.verify(m[1]);
    if (!verified.ok) return cfErrors.invalidAuthToken();
    const { claims } = verified;
    // As CC: its own resource id, or the narrower one of a dashboard's permissions-only token.
    const audiences = access === 'user' ? USER_AUDIENCES : ['cloud_controller'];
    if (!Array.isArray(claims.aud) || !claims.aud.some((a) => audiences.includes(a)))
      return cfErrors.invalidAuthToken();
    const scopes = Array.isArray(claims.scope) ? claims.scope : [];
    const allowed = access === 'user' ? USER_SCOPES : READ_ALL_SCOPES;
    if (!scopes.some((s) => allowed.includes(s))) return cfErrors.notAuthorized();
    return { user: claims.user_id ?? claims.client_id, scopes };
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendCfError(res, cfErrors.serverError());
      else res.destroy();
    });
  };
}
