import type { Logger } from '../../common/logging.ts';
import type { CloudControllerClient } from '../cf/types.ts';
import type { DiscoveredInstance, InstanceState } from './types.ts';
import type { WireStats } from './wire.ts';

const STATES = new Set<InstanceState>(['RUNNING', 'CRASHED', 'STARTING', 'DOWN', 'STOPPING']);

export interface InstanceStatesCache {
  get(appGuid: string, processGuid: string | undefined): Promise<readonly DiscoveredInstance[] | undefined>;
}

/**
 * Process stats cost one CC request per app, so they are fetched only to explain a failed scrape and
 * kept for `ttlMs`; concurrent askers for one app share the request. Failures give `undefined` and are
 * not cached (the next failed scrape may ask again).
 */
export function createInstanceStatesCache(deps: {
  cc: CloudControllerClient;
  logger: Logger;
  clock: () => number;
  ttlMs: number;
}): InstanceStatesCache {
  const cache = new Map<string, { at: number; value: Promise<readonly DiscoveredInstance[] | undefined> }>();

  const fetchStates = (appGuid: string, processGuid: string | undefined) =>
    fetchInstanceStates(deps.cc, appGuid, processGuid);

  return {
    get(appGuid, processGuid) {
      const now = deps.clock();
      for (const [key, entry] of cache) if (now - entry.at >= deps.ttlMs) cache.delete(key);
      const hit = cache.get(appGuid);
      if (hit) return hit.value;
      const value = fetchStates(appGuid, processGuid).catch((error: unknown) => {
        cache.delete(appGuid);
        deps.logger.debug({ appGuid, err: (error as Error).message }, 'instance states unavailable');
        return undefined;
      });
      cache.set(appGuid, { at: now, value });
      return value;
    },
  };
}

/** One process-stats request: the web process's instances by index. Throws CfError. */
export async function fetchInstanceStates(
  cc: CloudControllerClient,
  appGuid: string,
  processGuid: string | undefined,
): Promise<DiscoveredInstance[]> {
  const path = processGuid
    ? `/v3/processes/${encodeURIComponent(processGuid)}/stats`
    : `/v3/apps/${encodeURIComponent(appGuid)}/processes/web/stats`;
  const body = await cc.getJson<WireStats>(path);
  return (body.resources ?? [])
    .filter((r) => typeof r.index === 'number' && (r.type ?? 'web') === 'web')
    .map((r) => ({
      index: r.index!,
      state: STATES.has(r.state as InstanceState) ? (r.state as InstanceState) : 'UNKNOWN',
    }))
    .sort((a, b) => a.index - b.index);
}
