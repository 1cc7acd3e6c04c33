import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../common/logging.ts';

const REQUEST_IDENTITY = 'x-broker-api-request-identity';
const ORIGINATING_IDENTITY = 'x-broker-api-originating-identity';

/** The per-request logger, bound to the request identity and the originating user. */
export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}

/**
 * Echoes X-Broker-API-Request-Identity (so CC and broker logs can be correlated), decodes the originating
 * user, and writes one log line per request when it completes. Bodies are never logged: they carry secrets.
 */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = req.get(REQUEST_IDENTITY);
    if (requestId) res.setHeader('X-Broker-API-Request-Identity', requestId);
    const userId = originatingUserId(req.get(ORIGINATING_IDENTITY));
    const log = logger.child({
      ...(requestId && { requestId }),
      ...(userId && { userId }),
    });
    res.locals.log = log;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}

/** `cloudfoundry <base64 {"user_id": ...}>` → the user id; anything unreadable is simply not logged. */
export function originatingUserId(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [platform, encoded] = header.trim().split(/\s+/, 2);
  if (!platform || !encoded) return undefined;
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
    const id = value && typeof value === 'object' ? (value as Record<string, unknown>).user_id : undefined;
    return typeof id === 'string' && id.length <= 256 ? id : undefined;
  } catch {
    return undefined;
  }
}
