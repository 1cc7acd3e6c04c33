import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Every path below may carry a secret. pino replaces them before serialisation, so a secret cannot reach
 * a log line even when a whole request or config object is logged by mistake.
 */
const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'credentials',
  'authorization',
  '*.password',
  '*.clientSecret',
  '*.client_secret',
  '*.credentialsKey',
  '*.credentialsKeyPrevious',
  '*.credentials',
  '*.authorization',
  '*.token',
  '*.access_token',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'config.database.url',
  'config.*.password',
  'config.*.clientSecret',
];

export interface LoggerOptions {
  level: string;
  name: string;
  /** Where lines go; tests pass a stream to inspect output. Defaults to stdout. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { app: options.name },
    },
    options.destination ?? process.stdout,
  );
}
