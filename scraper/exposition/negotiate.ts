/**
 * Content negotiation for the merged endpoint: the caller's Accept picks OpenMetrics 1.0 or text
 * 0.0.4 by q-value (ties go to the range listed first); text when nothing acceptable is named.
 */
import type { ExpositionFormat } from './parse/entry.ts';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const TEXT = { format: 'text', contentType: TEXT_CONTENT_TYPE } as const;
const OPENMETRICS = { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE } as const;

export interface Negotiated {
  format: ExpositionFormat;
  contentType: string;
}

/** OpenMetrics versions this writer produces text for; 0.0.1 is the pre-1.0 name of the same format. */
const OM_VERSIONS = new Set(['1.0.0', '0.0.1']);

export function negotiateFormat(accept: string | undefined): Negotiated {
  if (accept === undefined || accept.trim() === '') return TEXT;
  let best: Negotiated | undefined;
  let bestQ = 0;
  for (const range of accept.split(',')) {
    const [typePart, ...params] = range.split(';');
    const mediaType = (typePart ?? '').trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (key === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      } else if (key === 'version') {
        version = value;
      }
    }
    let candidate: Negotiated | undefined;
    if (mediaType === 'application/openmetrics-text') {
      if (version === undefined || OM_VERSIONS.has(version)) candidate = OPENMETRICS;
    } else if (mediaType === 'text/plain') {
      if (version === undefined || version === '0.0.4') candidate = TEXT;
    } else if (mediaType === '*/*' || mediaType === 'text/*') {
      candidate = TEXT;
    }
    if (candidate !== undefined && q > bestQ) {
      best = candidate;
      bestQ = q;
    }
  }
  return best ?? TEXT;
}
