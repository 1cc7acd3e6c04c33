export { composeDashboard } from './compose.ts';
export {
  createDashboard,
  type Dashboard,
  type DashboardDeps,
  type DashboardRoute,
} from './dashboard-handler.ts';
export { buildInstanceModel, type InstanceModel, type ModelSources } from './instance-view.ts';
export { PermissionCache } from './permission-cache.ts';
export { renderInstancePage } from './render-page.ts';
export { type DashboardSession, SESSION_COOKIE, SessionCodec } from './session.ts';
export { createSsoClient, type SsoClient, type SsoClientDeps } from './sso-client.ts';
