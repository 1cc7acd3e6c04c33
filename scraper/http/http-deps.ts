import type { Logger } from '../../common/logging.ts';
import type { Authenticator } from '../auth/index.ts';
import type { Dashboard } from '../dashboard/index.ts';
import type { Discovery } from '../discovery/types.ts';
import type { ScraperMetrics } from '../metrics.ts';
import type { ScrapeService, SingleFlight } from '../scrape/index.ts';
import type { Rendered } from './respond.ts';

/** Everything the HTTP layer needs, passed in (no singletons): tests substitute any part. */
export interface HttpDeps {
  authenticate: Authenticator;
  discovery: Pick<Discovery, 'view' | 'hasRun'>;
  scrape: ScrapeService;
  /** Shared between requests of one app: concurrent identical scrapes become one fan-out. */
  fanouts: SingleFlight<Rendered>;
  metrics: ScraperMetrics;
  /** Database reachable (and whatever else readiness needs besides discovery). */
  databaseReady: () => Promise<boolean>;
  /** Base URL for http_sd targets; empty → derived from the request's Host. */
  publicUrl: string;
  logger: Logger;
  /** The service-instance dashboard; absent (404) when no dashboard client is configured. */
  dashboard?: Dashboard;
}
