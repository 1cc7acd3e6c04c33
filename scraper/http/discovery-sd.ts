import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth/index.ts';
import { canRead } from '../auth/index.ts';
import type { HttpDeps } from './http-deps.ts';
import { sendJson } from './respond.ts';

interface SdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * GET /v1/discovery — Prometheus http_sd: one group per readable space (`?mode=instances`: one per
 * running instance, pointing at the single-target endpoint). The scraper's own address comes from
 * SCRAPER_PUBLIC_URL, else from the request (a scraper behind the router knows no better).
 */
export function discoverySd(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  caller: Caller,
  mode: string | null,
): void {
  const base = publicBase(req, deps.publicUrl);
  const groups: SdGroup[] = [];
  const spaces = new Set<string>();
  for (const dt of deps.discovery.view().targets) {
    if (!dt.space || !dt.org || !canRead(caller, dt.target)) continue;
    const common = {
      __scheme__: base.scheme,
      __meta_promregator_org_name: dt.org.name,
      __meta_promregator_org_guid: dt.org.guid,
      __meta_promregator_space_name: dt.space.name,
      __meta_promregator_space_guid: dt.space.guid,
    };
    if (mode === 'instances') {
      if (dt.status !== 'scrapable' || dt.app?.state !== 'STARTED') continue;
      for (let i = 0; i < dt.instances; i++) {
        groups.push({
          targets: [base.hostPort],
          labels: {
            ...common,
            __metrics_path__: `${base.path}/v1/targets/${dt.app.guid}/${i}/metrics`,
            __meta_promregator_app_name: dt.app.name,
            __meta_promregator_app_guid: dt.app.guid,
            __meta_promregator_instance_index: String(i),
          },
        });
      }
      continue;
    }
    if (spaces.has(dt.space.guid)) continue;
    spaces.add(dt.space.guid);
    groups.push({
      targets: [base.hostPort],
      labels: { ...common, __metrics_path__: `${base.path}/v1/spaces/${dt.space.guid}/metrics` },
    });
  }
  sendJson(res, 200, groups);
}

function publicBase(req: IncomingMessage, publicUrl: string) {
  if (publicUrl) {
    try {
      const url = new URL(publicUrl);
      const scheme = url.protocol.replace(':', '');
      const port = url.port || (scheme === 'https' ? '443' : '80');
      return { scheme, hostPort: `${url.hostname}:${port}`, path: url.pathname.replace(/\/+$/, '') };
    } catch {
      // fall through to the request's own address
    }
  }
  const forwarded = req.headers['x-forwarded-proto'];
  const scheme = (Array.isArray(forwarded) ? forwarded[0] : forwarded) === 'https' ? 'https' : 'http';
  return { scheme, hostPort: req.headers.host ?? 'localhost', path: '' };
}
