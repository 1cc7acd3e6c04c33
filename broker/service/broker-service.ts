import type { Config } from '../../common/config/types.ts';
import type { Knex } from '../../common/db/connect.ts';
import { createOutboundPolicy, type HostResolver } from '../../common/outbound/policy.ts';
import { SecretKeys } from '../../common/secrets.ts';
import { buildCatalog } from '../osb/catalog.ts';
import type { ServiceBroker } from '../osb/contract.ts';
import { createParameterValidators } from '../osb/parameters.ts';
import { bind, bindingStatus, getBinding, unbind } from './bindings.ts';
import type { ServiceDeps } from './deps.ts';
import {
  deprovisionInstance,
  getInstance,
  instanceStatus,
  provisionInstance,
  updateInstance,
} from './instances.ts';

/** The OSB contract over the Postgres schema of migrations/001-initial.ts. */
export function createBrokerService(options: {
  config: Pick<
    Config,
    'broker' | 'credentialsKey' | 'credentialsKeyPrevious' | 'scraperPublicUrl' | 'outbound' | 'dashboard'
  >;
  db: Knex;
  /** How token_url hosts are resolved at bind; default the system resolver. */
  resolveHost?: HostResolver;
}): ServiceBroker {
  const { config, db } = options;
  const { clientId, clientSecret } = config.dashboard;
  // Without a public URL there is nowhere to send the browser: no dashboard then.
  const dashboard =
    clientId !== undefined && clientSecret !== undefined && config.scraperPublicUrl !== ''
      ? { id: clientId, secret: clientSecret, redirect_uri: `${config.scraperPublicUrl}/dashboard/callback` }
      : undefined;
  const catalog = buildCatalog(config.broker.catalog, dashboard);
  const deps: ServiceDeps = {
    db,
    keys: new SecretKeys(config.credentialsKey, config.credentialsKeyPrevious),
    catalog: config.broker.catalog,
    validators: createParameterValidators(),
    outbound: createOutboundPolicy({
      allowPrivate: config.outbound.allowPrivate,
      allowedHosts: config.outbound.tokenHosts,
      ...(options.resolveHost && { resolve: options.resolveHost }),
    }),
    scraperPublicUrl: config.scraperPublicUrl,
    dashboardBase: dashboard && `${config.scraperPublicUrl}/dashboard/instances/`,
  };
  return {
    catalog: () => catalog,
    provision: (id, details) => provisionInstance(deps, id, details),
    getInstance: (id) => getInstance(deps, id),
    update: (id, details) => updateInstance(deps, id, details),
    deprovision: (id) => deprovisionInstance(deps, id),
    instanceLastOperation: (id) => instanceStatus(deps, id),
    bind: (instanceId, bindingId, details) => bind(deps, instanceId, bindingId, details),
    getBinding: (instanceId, bindingId) => getBinding(deps, instanceId, bindingId),
    unbind: (instanceId, bindingId) => unbind(deps, instanceId, bindingId),
    bindingLastOperation: (instanceId, bindingId) => bindingStatus(deps, instanceId, bindingId),
  };
}
