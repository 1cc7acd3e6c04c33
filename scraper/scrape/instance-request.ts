import type { DiscoveredTarget } from '../discovery/types.ts';
import type { InstanceRequest } from './types.ts';

/**
 * Public routes go through the gorouter and name the instance with `X-CF-APP-INSTANCE`; internal routes
 * (container-to-container) address instance `i` as `i.<host>:<port>` and carry no header.
 * Undefined when the target has no chosen route or app.
 */
export function instanceRequest(dt: DiscoveredTarget, index: number): InstanceRequest | undefined {
  const { route, app, target } = dt;
  if (!route || !app) return undefined;
  const path = joinPath(route.path, target.path);
  if (route.internal) {
    const port = route.port ?? 8080;
    return { url: `${target.scheme}://${index}.${route.host}:${port}${path}`, instanceHeader: undefined };
  }
  return {
    url: `${target.scheme}://${route.host}${path}`,
    instanceHeader: `${app.guid.toLowerCase()}:${index}`,
  };
}

/**
 * The app is mounted under the route's path prefix; the binding's path is relative to the app. The
 * prefix is the developer's, so trailing slashes are trimmed by index: `/\/+$/` is quadratic in a run
 * of slashes that does not end the string.
 */
function joinPath(prefix: string, path: string): string {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0x2f) end--;
  return `${prefix.slice(0, end)}${path}`;
}
