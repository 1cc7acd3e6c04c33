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

/** The app is mounted under the route's path prefix; the binding's path is relative to the app. */
function joinPath(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  return `${prefix.replace(/\/+$/, '')}${path}`;
}
