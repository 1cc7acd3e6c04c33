import type { IncomingMessage, ServerResponse } from 'node:http';
import { discoverySd } from './discovery-sd.ts';
import type { HttpDeps } from './http-deps.ts';
import { spaceMetrics, targetMetrics } from './metrics-handlers.ts';
import { sendAuthFailure, sendText } from './respond.ts';
import { matchRoute, type Route } from './routes.ts';

/**
 * The scraper's request handler: route, authenticate where needed, dispatch. Anything unexpected ends
 * as a 500 without detail (the log has it); a target's failure never gets here, it is data.
 */
export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://scraper');
    const route = matchRoute(url.pathname);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.requestDuration.observe(
        { route: route?.name ?? 'unknown', status: String(res.statusCode) },
        seconds,
      );
    });
    handle(req, res, deps, route, url).catch((err: unknown) => {
      deps.logger.error({ err: (err as Error).message, route: route?.name }, 'request failed');
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  route: Route | undefined,
  url: URL,
): Promise<void> {
  if (!route) return sendText(res, 404, 'not found');
  if (
    route.name === 'dashboard-instance' ||
    route.name === 'dashboard-callback' ||
    route.name === 'dashboard-logout'
  ) {
    // Its own authentication (SSO) and methods (logout is a POST).
    if (!deps.dashboard) return sendText(res, 404, 'not found (no dashboard client is configured)');
    return deps.dashboard.handle(req, res, route, url);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
  }
  switch (route.name) {
    case 'healthz':
      return sendText(res, 200, 'ok');
    case 'readyz': {
      const db = await deps.databaseReady().catch(() => false);
      const ready = db && deps.discovery.hasRun();
      return sendText(
        res,
        ready ? 200 : 503,
        ready
          ? 'ready'
          : `not ready (database ${db ? 'ok' : 'unreachable'}, discovery ${deps.discovery.hasRun() ? 'ok' : 'pending'})`,
      );
    }
    case 'own-metrics': {
      updateTargetGauge(deps);
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' });
      return void res.end(body);
    }
  }
  const auth = await deps.authenticate(req.headers.authorization);
  if (!auth.ok) return sendAuthFailure(res, auth);
  switch (route.name) {
    case 'space-metrics':
      return spaceMetrics(req, res, deps, auth.caller, route.spaceGuid);
    case 'target-metrics':
      return targetMetrics(req, res, deps, auth.caller, route.appGuid, route.index);
    case 'discovery':
      return discoverySd(req, res, deps, auth.caller, url.searchParams.get('mode'));
  }
}

/** Targets by discovery state, counted when collected (cheap: one pass over the view). */
function updateTargetGauge(deps: HttpDeps): void {
  const counts = new Map<string, number>();
  for (const dt of deps.discovery.view().targets) counts.set(dt.status, (counts.get(dt.status) ?? 0) + 1);
  deps.metrics.targets.reset();
  for (const [state, n] of counts) deps.metrics.targets.set({ state }, n);
}
