import type { NextFunction, Request, Response } from 'express';
import { badRequest, OSB_ERRORS, OsbError } from '../osb/errors.ts';

export interface HandlerRequest {
  /** Path parameters, URL-decoded; possibly empty strings (the handlers reject those with a 400). */
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
  body: unknown;
}

export interface HandlerResponse {
  status: number;
  body: object;
}

export interface Route {
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/literal/:param/...`; a `:param` segment also matches an empty segment. */
  path: string;
  handle(req: HandlerRequest): Promise<HandlerResponse> | HandlerResponse;
}

interface Compiled extends Route {
  segments: string[];
}

/**
 * Dispatches the flat route table. A tiny matcher instead of express's, because an empty id
 * (`/v2/service_instances/`) must reach its handler as a 400, and a known path with the wrong method is a 405.
 */
export function router(routes: readonly Route[]) {
  const compiled: Compiled[] = routes.map((route) => ({ ...route, segments: route.path.split('/') }));
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const segments = req.path.split('/');
      const matching = compiled
        .map((route) => ({ route, params: match(route.segments, segments) }))
        .filter((m): m is { route: Compiled; params: Record<string, string> } => m.params !== undefined);
      if (matching.length === 0) {
        throw new OsbError(OSB_ERRORS.routeNotFound, `Not found: ${req.method} ${req.path.slice(0, 200)}`);
      }
      const found = matching.find((m) => m.route.method === req.method);
      if (!found) {
        res.setHeader('Allow', [...new Set(matching.map((m) => m.route.method))].join(', '));
        throw new OsbError(OSB_ERRORS.methodNotAllowed, `Method ${req.method} is not allowed on ${req.path}`);
      }
      const result = await found.route.handle({
        params: found.params,
        query: req.query as Record<string, unknown>,
        body: req.body as unknown,
      });
      res.status(result.status).json(result.body);
    } catch (error) {
      next(error);
    }
  };
}

function match(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeSegment(a);
    else if (p !== a) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('path: malformed percent-encoding');
  }
}
