import express from 'express';
import type { Logger } from '../../common/logging.ts';
import type { ServiceBroker } from '../osb/contract.ts';
import { apiVersion } from './api-version.ts';
import { basicAuth } from './basic-auth.ts';
import { errorHandler } from './error-response.ts';
import { requestContext } from './request-context.ts';
import { router } from './router.ts';
import { brokerRoutes } from './routes.ts';

export interface HttpAppOptions {
  broker: ServiceBroker;
  credentials: { username: string; password: string };
  logger: Logger;
}

/**
 * The OSB HTTP surface over any contract implementation. Order matters: version (412) before auth (401)
 * before the body is even parsed (400), as OSB.md requires.
 */
export function createHttpApp(options: HttpAppOptions): express.Application {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Flat string values (repeated keys become arrays, which parse-request rejects); no nested objects.
  app.set('query parser', 'simple');
  app.use(requestContext(options.logger));
  app.use('/v2', apiVersion(), basicAuth(options.credentials));
  // Any content type: the body is JSON by contract; a wrong label must not turn into "missing field".
  app.use(express.json({ type: () => true, limit: '1mb', strict: true }));
  app.use(router(brokerRoutes(options.broker)));
  app.use(errorHandler());
  return app;
}
