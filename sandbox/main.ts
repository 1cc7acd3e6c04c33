import { startControlApi, startSandbox } from './index.ts';

// `npm run sandbox`: the only place in sandbox/ that reads the environment.
const seed = process.env.SANDBOX_SEED === 'empty' ? 'empty' : 'demo';
const lifetime = Number(process.env.SANDBOX_TOKEN_LIFETIME_SECONDS ?? '3600');

const sandbox = await startSandbox({
  seed,
  tokenLifetimeSeconds: Number.isFinite(lifetime) ? lifetime : 3600,
});
const api = await startControlApi(sandbox);

const lines = [
  'Cloud Foundry sandbox is running',
  `  CF_API_URL=${sandbox.ccUrl}`,
  `  UAA:                 ${sandbox.uaaUrl}`,
  `  gorouter:            ${sandbox.routerUrl}   (http and https on the same port)`,
  `  SCRAPE_CONNECT_TO=${sandbox.routerAddress}`,
  `  apps domain:         ${sandbox.appsDomain}`,
  `  CF_CLIENT_ID=${sandbox.admin.clientId}`,
  `  CF_CLIENT_SECRET=${sandbox.admin.clientSecret}`,
  `  auditor client:      ${sandbox.auditor.clientId} / ${sandbox.auditor.clientSecret}`,
  `  user (client cf):    ${sandbox.user.username} / ${sandbox.user.password}`,
  `  control API:         ${api.url}/_sandbox/state`,
  '',
  'Apps:',
  ...sandbox.control
    .listApps()
    .map(
      (a) =>
        `  ${a.guid}  ${a.name.padEnd(12)} ${a.state.padEnd(8)} ${a.instances} instance(s)  ${a.routes.join(', ')}`,
    ),
  '',
  'Try:',
  `  curl -H 'Host: ${sandbox.control.listApps()[0]?.routes[0] ?? 'app'}' -H 'X-CF-APP-INSTANCE: ${sandbox.control.listApps()[0]?.guid}:1' ${sandbox.routerUrl}/metrics`,
];
console.log(lines.join('\n'));

const shutdown = async () => {
  await api.close();
  await sandbox.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
