import type { DashboardRoute } from '../dashboard/index.ts';

/** The route table in one place: path → route name and parameters. */
export type Route =
  | { name: 'space-metrics'; spaceGuid: string }
  | { name: 'target-metrics'; appGuid: string; index: number }
  | { name: 'discovery' }
  | { name: 'own-metrics' }
  | { name: 'healthz' }
  | { name: 'readyz' }
  | DashboardRoute;

const GUID = /^[0-9a-zA-Z-]{1,64}$/;

export function matchRoute(path: string): Route | undefined {
  switch (path) {
    case '/v1/discovery':
      return { name: 'discovery' };
    case '/metrics':
      return { name: 'own-metrics' };
    case '/healthz':
      return { name: 'healthz' };
    case '/readyz':
      return { name: 'readyz' };
    case '/dashboard/callback':
      return { name: 'dashboard-callback' };
    case '/dashboard/logout':
      return { name: 'dashboard-logout' };
  }
  const parts = path.split('/');
  // ['', 'dashboard', 'instances', id]: OSB instance ids are the CC's GUIDs, but any id the broker took.
  if (parts.length === 4 && parts[1] === 'dashboard' && parts[2] === 'instances') {
    const id = safeDecode(parts[3] ?? '');
    return id !== undefined && /^[A-Za-z0-9._-]{1,255}$/.test(id)
      ? { name: 'dashboard-instance', instanceId: id }
      : undefined;
  }
  // ['', 'v1', 'spaces', guid, 'metrics']
  if (parts.length === 5 && parts[1] === 'v1' && parts[2] === 'spaces' && parts[4] === 'metrics') {
    const spaceGuid = parts[3] ?? '';
    return GUID.test(spaceGuid) ? { name: 'space-metrics', spaceGuid: spaceGuid.toLowerCase() } : undefined;
  }
  // ['', 'v1', 'targets', app, index, 'metrics']
  if (parts.length === 6 && parts[1] === 'v1' && parts[2] === 'targets' && parts[5] === 'metrics') {
    const appGuid = parts[3] ?? '';
    const index = Number(parts[4]);
    if (!GUID.test(appGuid) || !/^\d{1,6}$/.test(parts[4] ?? '')) return undefined;
    return { name: 'target-metrics', appGuid: appGuid.toLowerCase(), index };
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
