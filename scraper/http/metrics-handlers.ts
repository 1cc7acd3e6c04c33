import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth/index.ts';
import { canRead } from '../auth/index.ts';
import type { DiscoveredTarget } from '../discovery/types.ts';
import type { ScrapeJob } from '../scrape/index.ts';
import type { HttpDeps } from './http-deps.ts';
import { sendNotFound } from './respond.ts';
import { serveMerged } from './serve-merged.ts';

/** Running apps are scraped instance by instance; stopped or unroutable ones are reported, not scraped. */
function isScrapable(dt: DiscoveredTarget): boolean {
  return dt.status === 'scrapable' && dt.app?.state === 'STARTED';
}

/** GET /v1/spaces/{space_guid}/metrics */
export async function spaceMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  caller: Caller,
  spaceGuid: string,
): Promise<void> {
  const visible = (deps.discovery.view().bySpace.get(spaceGuid) ?? []).filter((dt) =>
    canRead(caller, dt.target),
  );
  if (visible.length === 0) return sendNotFound(res);
  const jobs: ScrapeJob[] = [];
  for (const dt of visible) {
    if (!isScrapable(dt)) continue;
    for (let index = 0; index < dt.instances; index++) jobs.push({ target: dt, index });
  }
  // The visible binding set (not the caller) decides what is shared: same view, same answer.
  const scope = `space:${spaceGuid}:${visible.map((dt) => dt.target.bindingId).join(',')}`;
  await serveMerged(req, res, deps, scope, jobs);
}

/** GET /v1/targets/{app_guid}/{index}/metrics */
export async function targetMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  caller: Caller,
  appGuid: string,
  index: number,
): Promise<void> {
  const dt = deps.discovery
    .view()
    .targets.find((t) => t.target.appGuid.toLowerCase() === appGuid && canRead(caller, t.target));
  if (!dt || !isScrapable(dt) || index >= dt.instances) return sendNotFound(res);
  const scope = `target:${dt.target.bindingId}:${index}`;
  await serveMerged(req, res, deps, scope, [{ target: dt, index }]);
}
