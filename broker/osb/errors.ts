/** The only values the OSB spec defines for a body's `error` field; plain 4xx/5xx carry none. */
export type OsbErrorCode = 'AsyncRequired' | 'ConcurrencyError' | 'RequiresApp' | 'MaintenanceInfoConflict';

/** One kind of failure: a stable code for logs and tests, the HTTP status, and how loudly to log it. */
export interface OsbErrorKind {
  readonly code: string;
  readonly status: number;
  readonly error?: OsbErrorCode;
  readonly logLevel: 'info' | 'warn' | 'error';
}

/**
 * Every failure the broker answers with, defined once. The one mapper in http/error-response.ts turns
 * them into responses; nothing else chooses a status for an error.
 */
export const OSB_ERRORS = {
  apiVersion: { code: 'API_VERSION_UNSUPPORTED', status: 412, logLevel: 'info' },
  unauthorized: { code: 'UNAUTHORIZED', status: 401, logLevel: 'warn' },
  badRequest: { code: 'BAD_REQUEST', status: 400, logLevel: 'info' },
  invalidParameters: { code: 'INVALID_PARAMETERS', status: 400, logLevel: 'info' },
  unknownInstanceForBinding: { code: 'BINDING_INSTANCE_UNKNOWN', status: 400, logLevel: 'info' },
  routeNotFound: { code: 'ROUTE_NOT_FOUND', status: 404, logLevel: 'info' },
  instanceNotFound: { code: 'INSTANCE_NOT_FOUND', status: 404, logLevel: 'info' },
  bindingNotFound: { code: 'BINDING_NOT_FOUND', status: 404, logLevel: 'info' },
  methodNotAllowed: { code: 'METHOD_NOT_ALLOWED', status: 405, logLevel: 'info' },
  instanceConflict: { code: 'INSTANCE_CONFLICT', status: 409, logLevel: 'info' },
  bindingConflict: { code: 'BINDING_CONFLICT', status: 409, logLevel: 'info' },
  payloadTooLarge: { code: 'PAYLOAD_TOO_LARGE', status: 413, logLevel: 'info' },
  maintenanceInfoConflict: {
    code: 'MAINTENANCE_INFO_CONFLICT',
    status: 422,
    error: 'MaintenanceInfoConflict',
    logLevel: 'info',
  },
  internal: { code: 'INTERNAL', status: 500, logLevel: 'error' },
  databaseUnavailable: { code: 'DATABASE_UNAVAILABLE', status: 503, logLevel: 'error' },
} as const satisfies Record<string, OsbErrorKind>;

/** A failure with a description a cf CLI user understands; it is sent to the caller as is. */
export class OsbError extends Error {
  readonly code: string;
  constructor(
    readonly kind: OsbErrorKind,
    readonly description: string,
    options?: ErrorOptions,
  ) {
    super(description, options);
    this.name = 'OsbError';
    this.code = kind.code;
  }
}

export function badRequest(description: string): OsbError {
  return new OsbError(OSB_ERRORS.badRequest, description);
}
