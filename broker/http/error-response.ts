import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../common/db/unavailable.ts';
import { OSB_ERRORS, OsbError, type OsbErrorKind } from '../osb/errors.ts';
import { requestLog } from './request-context.ts';

export interface ErrorResponse {
  kind: OsbErrorKind;
  body: { error?: string; description: string };
}

/** Errors of express's JSON body parser: they carry `type` and a client status. */
interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}

/** The one mapping from any failure to a response: unknown → 500, database unreachable → 503. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof OsbError) {
    const { kind } = error;
    return { kind, body: { ...(kind.error && { error: kind.error }), description: error.description } };
  }
  if (isBodyParserError(error)) {
    if (error.type === 'entity.too.large') {
      return { kind: OSB_ERRORS.payloadTooLarge, body: { description: 'request body: too large' } };
    }
    const description =
      error.type === 'entity.parse.failed'
        ? 'request body: not valid JSON'
        : `request body: cannot be read (${error.type})`;
    return { kind: OSB_ERRORS.badRequest, body: { description } };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      kind: OSB_ERRORS.databaseUnavailable,
      body: {
        description: 'The service broker cannot reach its database at the moment; please try again later.',
      },
    };
  }
  return {
    kind: OSB_ERRORS.internal,
    body: { description: 'Internal error in the service broker; the broker log has the details.' },
  };
}

/** Express error middleware: details go to the log, only the mapped description to the caller. */
export function errorHandler() {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const { kind, body } = toErrorResponse(error);
    const log = requestLog(res);
    if (kind.status >= 500) log[kind.logLevel]({ err: loggable(error), code: kind.code }, body.description);
    else log[kind.logLevel]({ code: kind.code, status: kind.status }, body.description);
    res.status(kind.status).json(body);
  };
}

/**
 * Only name, message, code and stack: knex attaches the query's bindings to some errors, and no request
 * value belongs in a log line.
 */
function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { name, message, stack } = error;
  const code = (error as { code?: unknown }).code;
  return { name, message, ...(typeof code === 'string' && { code }), ...(stack && { stack }) };
}
