import type { NextFunction, Request, Response } from 'express';
import { safeEqual } from '../../common/secrets.ts';
import { OSB_ERRORS, OsbError } from '../osb/errors.ts';

/** Second check on every /v2 request: the platform's basic-auth credentials, compared in constant time. */
export function basicAuth(expected: { username: string; password: string }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const username = colon >= 0 ? decoded.slice(0, colon) : '';
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    // Both compared always: no early exit that tells which part was wrong.
    const userOk = safeEqual(username, expected.username);
    const passwordOk = safeEqual(password, expected.password);
    if (colon >= 0 && userOk && passwordOk && expected.username !== '') {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="promregator-broker"');
    next(new OsbError(OSB_ERRORS.unauthorized, 'Unauthorized: wrong or missing broker credentials'));
  };
}
