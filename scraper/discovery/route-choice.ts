import { compileRoutePattern, type RouteMatch } from '../../common/route-pattern.ts';
import type { RouteFact } from './app-facts.ts';
import type { ChosenRoute } from './types.ts';

/** Turns a `route` parameter into its matcher; see createRouteMatchers for the cached one. */
export type RouteMatchers = (parameter: string) => RouteMatch;

/**
 * How a binding's `route` parameter selects one of the app's routes:
 * - absent: the first HTTP route on a non-internal domain (CC order). Internal routes are never chosen
 *   by default, because scraping them needs a network policy the developer must set up on purpose.
 * - only hostname characters (letters, digits, `.`, `-`), optionally followed by a path (`host/x`): an
 *   exact, case-insensitive match against the route's full hostname, or hostname + path.
 * - `/…/` or `/…/flags`: a JavaScript regular expression, unanchored (write `^`/`$` yourself).
 * - anything else (it contains other regex metacharacters such as `*`, `+`, `[`, `(`, `|`, `^`, `$`):
 *   a regular expression matched against the whole hostname, or the whole hostname + path (anchored, like
 *   Prometheus relabel regexes), case-insensitive.
 * An explicit parameter may pick internal routes; tcp routes are never chosen. An invalid regex matches
 * nothing, and so does one the linear-time engine cannot run (common/route-pattern.ts; the broker refuses
 * both at bind). When nothing is chosen, the reason is returned instead.
 */
export function chooseRoute(
  routes: readonly RouteFact[],
  parameter: string | undefined,
  matchers: RouteMatchers = compileMatcher,
): { route: ChosenRoute } | { reason: 'no-route' | 'route-not-matched' } {
  const http = routes.filter((r) => r.protocol === 'http');
  if (parameter === undefined || parameter === '') {
    const first = http.find((r) => !r.internal);
    return first ? { route: toChosen(first) } : { reason: 'no-route' };
  }
  if (http.length === 0) return { reason: 'no-route' };
  const matcher = matchers(parameter);
  const hit = http.find((r) => matcher(r.host) || (r.path !== '' && matcher(`${r.host}${r.path}`)));
  return hit ? { route: toChosen(hit) } : { reason: 'route-not-matched' };
}

const NOTHING: RouteMatch = () => false;

function compileMatcher(parameter: string): RouteMatch {
  const compiled = compileRoutePattern(parameter);
  return 'matches' in compiled ? compiled.matches : NOTHING;
}

/**
 * Matchers cached per parameter: the same few parameters are evaluated on every discovery. Parameters are
 * chosen by developers, so the cache is a bounded LRU, bounded by count because the largest compiled
 * patterns take over a megabyte each.
 */
export function createRouteMatchers(capacity = 64, compile: RouteMatchers = compileMatcher): RouteMatchers {
  const cache = new Map<string, RouteMatch>();
  return (parameter) => {
    let matcher = cache.get(parameter);
    if (matcher) {
      cache.delete(parameter);
    } else {
      matcher = compile(parameter);
      if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    }
    cache.set(parameter, matcher);
    return matcher;
  };
}

function toChosen(r: RouteFact): ChosenRoute {
  return {
    host: r.host,
    path: r.path,
    internal: r.internal,
    ...(r.internal && r.port !== undefined && { port: r.port }),
  };
}
