import type { Config } from '../common/config/index.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { DEMO_BIND_PARAMETERS, type DemoRegistration } from './demo-registration.ts';

export interface BannerInput {
  brokerUrl: string;
  scraperUrl: string;
  config: Config;
  sandbox: Sandbox | undefined;
  demo: DemoRegistration | undefined;
  /** Data directory of the embedded PostgreSQL, when one was started. */
  embeddedDir: string | undefined;
}

/** What a newcomer needs to try the product next, printed once everything is up. */
export function printBanner({
  brokerUrl,
  scraperUrl,
  config,
  sandbox,
  demo,
  embeddedDir,
}: BannerInput): void {
  const user = config.broker.username;
  const pass = config.broker.password;
  const lines = [
    '',
    '=== Promregator broker is running locally ===',
    `  broker (OSB API)   ${brokerUrl}   user ${user}  password ${pass}`,
    `  scraper            ${scraperUrl}`,
    `  database           ${embeddedDir ? `embedded PostgreSQL in ${embeddedDir} (deleted on exit)` : 'DATABASE_URL'}`,
    sandbox
      ? `  foundation         sandbox: CC ${sandbox.ccUrl}  UAA ${sandbox.uaaUrl}  gorouter ${sandbox.routerUrl}`
      : `  foundation         ${config.cf.apiUrl}`,
  ];
  if (demo) {
    const key = demo.serviceKey;
    lines.push(
      '',
      `Registered through the OSB API: service instance ${demo.instanceId} in org "${demo.space.orgName}" space "${demo.space.spaceName}",`,
      `bindings for ${demo.apps.map((app) => `${app.name} (${app.instances} instances)`).join(', ')}, and a service key.`,
      ...demo.apps
        .filter((app) => DEMO_BIND_PARAMETERS[app.name])
        .map(
          (app) =>
            `  (as: cf bind-service ${app.name} metrics -c '${JSON.stringify(DEMO_BIND_PARAMETERS[app.name])}')`,
        ),
      '',
      'Merged metrics of every instance in the space (service-key credentials):',
      `  curl -u '${String(key.username)}:${String(key.password)}' ${String(key.url)}`,
      ...(demo.dashboard
        ? [
            '',
            `Dashboard of the service instance (log in as ${demo.dashboard.username} / ${demo.dashboard.password}, a space developer):`,
            `  ${demo.dashboard.url}`,
          ]
        : []),
      '',
      'Prometheus http_sd discovery:',
      `  curl -u '${String(key.username)}:${String(key.password)}' ${String(key.discovery_url)}`,
      '',
      'prometheus.yml (from the service key):',
      String(key.prometheus_yml ?? '')
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  lines.push(
    '',
    'The OSB API, as the Cloud Controller calls it:',
    `  curl -u '${user}:${pass}' -H 'X-Broker-API-Version: 2.17' ${brokerUrl}/v2/catalog`,
    `  curl -u '${user}:${pass}' -H 'X-Broker-API-Version: 2.17' -H 'Content-Type: application/json' -X PUT \\`,
    `    '${brokerUrl}/v2/service_instances/my-instance?accepts_incomplete=true' \\`,
    `    -d '{"service_id":"${config.broker.catalog.serviceId}","plan_id":"${config.broker.catalog.planId}","organization_guid":"org","space_guid":"space"}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
