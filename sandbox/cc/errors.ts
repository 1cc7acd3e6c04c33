import type { ServerResponse } from 'node:http';
import { sendJson } from '../net/http.ts';

// The one catalogue of CF error answers (codes and titles from cloud_controller_ng's errors/v2.yml).

export interface CfError {
  status: number;
  code: number;
  title: string;
  detail: string;
}

function e(status: number, code: number, title: string, detail: string): CfError {
  return { status, code, title: `CF-${title}`, detail };
}

export const cfErrors = {
  notAuthenticated: () =>
    e(
      401,
      10002,
      'NotAuthenticated',
      'No auth token was given, but authentication is required for this endpoint',
    ),
  invalidAuthToken: () => e(401, 1000, 'InvalidAuthToken', 'Invalid Auth Token'),
  notAuthorized: () =>
    e(403, 10003, 'NotAuthorized', 'You are not authorized to perform the requested action'),
  unknownRequest: () => e(404, 10000, 'NotFound', 'Unknown request'),
  resourceNotFound: (what: string) => e(404, 10010, 'ResourceNotFound', `${what} not found`),
  badQueryParameter: (detail: string) =>
    e(400, 10005, 'BadQueryParameter', `The query parameter is invalid: ${detail}`),
  rateLimitExceeded: () => e(429, 10013, 'RateLimitExceeded', 'Rate Limit Exceeded'),
  serverError: (status = 500) => e(status, 10001, 'ServerError', 'An unknown error occurred.'),
  serviceUnavailable: () => e(503, 10015, 'ServiceUnavailable', 'The service is currently unavailable.'),
  instancesUnavailable: () =>
    e(503, 220002, 'InstancesUnavailable', 'Instances information unavailable: could not reach Diego'),
} as const;

export function errorForStatus(status: number): CfError {
  if (status === 503) return cfErrors.serviceUnavailable();
  if (status === 403) return cfErrors.notAuthorized();
  if (status === 429) return cfErrors.rateLimitExceeded();
  return cfErrors.serverError(status);
}

export function sendCfError(res: ServerResponse, err: CfError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, { errors: [{ detail: err.detail, title: err.title, code: err.code }] }, headers);
}

export function isCfError(x: unknown): x is CfError {
  return typeof x === 'object' && x !== null && 'title' in x && 'status' in x && 'code' in x;
}
