import type { ScrapeTarget } from '../../common/targets.ts';
import type { AppFacts } from './app-facts.ts';
import { chooseRoute, type RouteMatchers } from './route-choice.ts';
import type { DiscoveredTarget, DiscoveryView } from './types.ts';

/** What is known per app GUID: facts, or `null` when the CC did not return the app. Absent: not looked up yet. */
export type FactsByApp = ReadonlyMap<string, AppFacts | null>;

/**
 * Joins the bindings with the CC facts. Targets whose app has not been looked up yet are left out (they
 * appear once their incremental discovery finishes, usually within milliseconds), so a new binding never
 * shows up with a wrong status.
 */
export function buildView(
  targets: readonly ScrapeTarget[],
  facts: FactsByApp,
  refreshedAt: number,
  matchers: RouteMatchers,
): DiscoveryView {
  const out: DiscoveredTarget[] = [];
  const bySpace = new Map<string, DiscoveredTarget[]>();
  for (const target of targets) {
    const app = facts.get(target.appGuid);
    if (app === undefined) continue;
    const discovered = discover(target, app, matchers);
    out.push(discovered);
    if (discovered.space) {
      const list = bySpace.get(discovered.space.guid);
      if (list) list.push(discovered);
      else bySpace.set(discovered.space.guid, [discovered]);
    }
  }
  return { targets: out, bySpace, refreshedAt };
}

function discover(target: ScrapeTarget, app: AppFacts | null, matchers: RouteMatchers): DiscoveredTarget {
  if (app === null) {
    return {
      target,
      status: 'app-not-found',
      app: undefined,
      space: undefined,
      org: undefined,
      route: undefined,
      instances: 0,
    };
  }
  const choice = chooseRoute(app.routes, target.route, matchers);
  const route = 'route' in choice ? choice.route : undefined;
  const status =
    app.state === 'STOPPED' ? 'app-stopped' : 'reason' in choice ? choice.reason : ('scrapable' as const);
  return {
    target,
    status,
    app: { guid: app.guid, name: app.name, state: app.state },
    space: app.space,
    org: app.org,
    route,
    instances: app.instances,
  };
}
