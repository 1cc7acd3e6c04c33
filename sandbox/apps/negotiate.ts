import type { IncomingMessage } from 'node:http';

export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The exposition format the scraper prefers by `Accept` q-values; text wins ties, as client libraries do. */
export function chooseFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [media = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (media === 'application/openmetrics-text') om = Math.max(om, q);
    else if (media === 'text/plain' || media === '*/*' || media === 'text/*') text = Math.max(text, q);
  }
  return om > 0 && om > text ? 'openmetrics' : 'text';
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
