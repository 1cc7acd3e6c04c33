import type { RouteFact } from './app-facts.ts';
import type { ChosenRoute } from './types.ts';

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
 * nothing. When nothing is chosen, the reason is returned instead.
 */
export function chooseRoute(
  routes: readonly RouteFact[],
  parameter: string | undefined,
): { route: ChosenRoute } | { reason: 'no-route' | 'route-not-matched' } {
  const http = routes.filter((r) => r.protocol === 'http');
  if (parameter === undefined || parameter === '') {
    const first = http.find((r) => !r.internal);
    return first ? { route: toChosen(first) } : { reason: 'no-route' };
  }
  if (http.length === 0) return { reason: 'no-route' };
  const matcher = routeMatcher(parameter);
  const hit = http.find((r) => matcher(r.host) || (r.path !== '' && matcher(`${r.host}${r.path}`)));
  return hit ? { route: toChosen(hit) } : { reason: 'route-not-matched' };
}

const EXACT = /^[A-Za-z0-9.-]+(\/[A-Za-z0-9._~%!&'=:@/-]*)?$/;
const SLASHED = /^\/(.+)\/([a-z]*)$/s;

const cache = new Map<string, (candidate: string) => boolean>();

/** Compiled matchers are cached: the same few parameters are evaluated on every discovery. */
export function routeMatcher(parameter: string): (candidate: string) => boolean {
  let matcher = cache.get(parameter);
  if (!matcher) {
    matcher = compile(parameter);
    if (cache.size > 10_000) cache.clear();
    cache.set(parameter, matcher);
  }
  return matcher;
}

function compile(parameter: string): (candidate: string) => boolean {
  if (EXACT.test(parameter)) {
    const wanted = parameter.toLowerCase();
    return (candidate) => candidate.toLowerCase() === wanted;
  }
  const slashed = SLASHED.exec(parameter);
  try {
    const regex = slashed
      ? new RegExp(slashed[1]!, slashed[2]!.replace(/[gy]/g, ''))
      : new RegExp(`^(?:${parameter})$`, 'i');
    return (candidate) => regex.test(candidate);
  } catch {
    return () => false;
  }
}

function toChosen(r: RouteFact): ChosenRoute {
  return {
    host: r.host,
    path: r.path,
    internal: r.internal,
    ...(r.internal && r.port !== undefined && { port: r.port }),
  };
}
