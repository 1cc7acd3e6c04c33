import type { Agent } from 'undici';
import type { Config } from '../../common/config/types.ts';
import type { Logger } from '../../common/logging.ts';
import type { SecretKeys } from '../../common/secrets.ts';
import type { BindingsSnapshot } from '../bindings/types.ts';
import type { CloudControllerClient } from '../cf/types.ts';
import type { Discovery } from '../discovery/types.ts';
import type { ScrapeRecorder } from '../scrape/index.ts';
import { createDashboard, type Dashboard } from './dashboard-handler.ts';
import { buildInstanceModel } from './instance-view.ts';
import { KeyNames } from './key-names.ts';
import { PermissionCache } from './permission-cache.ts';
import { SessionCodec } from './session.ts';
import { createSsoClient } from './sso-client.ts';

/** The dashboard needs its SSO client and the CC; without a client id there is none (404). */
export function composeDashboard(options: {
  config: Readonly<Config>;
  keys: SecretKeys;
  clock: () => number;
  logger: Logger;
  dispatcher: Agent;
  /** The scraper's own CC client: reads the service keys' names. */
  cc: Pick<CloudControllerClient, 'listAll'>;
  publicUrl: () => string;
  sources: {
    bindings: () => BindingsSnapshot;
    discovery: Pick<Discovery, 'view'>;
    recorder: ScrapeRecorder;
  };
}): Dashboard | undefined {
  const { config, clock } = options;
  const { clientId, clientSecret } = config.dashboard;
  if (clientId === undefined || clientSecret === undefined || !config.cf.apiUrl) return undefined;
  const keyNames = new KeyNames(options.cc, clock);
  return createDashboard({
    sso: createSsoClient({
      ccUrl: config.cf.apiUrl,
      clientId,
      clientSecret,
      redirectUri: () => `${options.publicUrl()}/dashboard/callback`,
      dispatcher: options.dispatcher,
      clock,
    }),
    // Plain-HTTP loopback in local mode only; everywhere else the cookie never travels unencrypted.
    sessions: new SessionCodec({
      keys: options.keys,
      secure: config.role !== 'local',
      clock,
    }),
    permissions: new PermissionCache(config.dashboard.permissionTtlMs, clock),
    model: async (id) =>
      buildInstanceModel(
        {
          bindings: options.sources.bindings,
          discovery: () => options.sources.discovery.view(),
          recorder: options.sources.recorder,
          clock,
          keyNames: await keyNames.lookup(id),
        },
        id,
      ),
    clock,
    sessionTtlMs: config.dashboard.sessionTtlMs,
    refreshSeconds: 15,
    logger: options.logger,
  });
}
