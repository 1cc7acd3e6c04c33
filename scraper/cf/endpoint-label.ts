/**
 * Metric label for a CC request: method and path template without query, the resource GUID replaced, so
 * the label set stays bounded (`GET /v3/processes/:guid/stats`, not one series per process).
 */
export function endpointLabel(method: string, pathOrUrl: string): string {
  const path = pathOrUrl.startsWith('/') ? pathOrUrl.split('?')[0]! : new URL(pathOrUrl).pathname;
  const segments = path.split('/');
  if (segments[1] === 'v3' && segments.length > 3 && segments[3] !== '') segments[3] = ':guid';
  return `${method} ${segments.join('/') || '/'}`;
}
