import type { NextFunction, Request, Response } from 'express';
import { OSB_ERRORS, OsbError } from '../osb/errors.ts';

/** The versions whose requests this broker understands (the CC sends 2.15 today). */
const MIN_MINOR = 13;
const MAX_MINOR = 17;

/** First check on every /v2 request: X-Broker-API-Version 2.13–2.17, else 412. */
export function apiVersion() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.get('x-broker-api-version')?.trim() ?? '';
    const match = /^(\d{1,4})\.(\d{1,4})$/.exec(header);
    const major = match ? Number(match[1]) : Number.NaN;
    const minor = match ? Number(match[2]) : Number.NaN;
    if (major === 2 && minor >= MIN_MINOR && minor <= MAX_MINOR) {
      next();
      return;
    }
    const got = header === '' ? 'none was sent' : `got "${header.slice(0, 32)}"`;
    next(
      new OsbError(
        OSB_ERRORS.apiVersion,
        `X-Broker-API-Version must be between 2.${MIN_MINOR} and 2.${MAX_MINOR}; ${got}`,
      ),
    );
  };
}
