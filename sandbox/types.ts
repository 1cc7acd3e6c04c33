// The sandbox's public contract. The scraper's tests and `npm start` depend on these names: extend, never rename.

export interface SandboxOptions {
  seed?: 'demo' | 'empty';
  tokenLifetimeSeconds?: number;
  appsDomain?: string;
  ccLatencyMs?: number;
  /** Non-exempt tokens get 429 + Retry-After beyond `limit` requests per window. */
  rateLimit?: { limit: number; windowSeconds: number };
  /**
   * gorouter's `empty_pool_response_code_503`: a known route whose instances are all gone answers
   * 503 `no_endpoints` instead of 404 `unknown_route`. Default false.
   */
  emptyPoolResponse503?: boolean;
  /** Also start the HTTP control API (`controlUrl`). Default false. */
  controlApi?: boolean;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface Sandbox {
  ccUrl: string;
  uaaUrl: string;
  routerUrl: string;
  /** `host:port` for SCRAPE_CONNECT_TO; the port speaks plain HTTP and TLS. */
  routerAddress: string;
  routerCaPem: string;
  appsDomain: string;
  admin: Credentials;
  auditor: Credentials;
  user: { username: string; password: string };
  control: SandboxControl;
  /** Set only when started with `controlApi: true`. */
  controlUrl?: string;
  stop(): Promise<void>;
}

export type CcFailure = { status: number } | { hang: true } | { rateLimit: { retryAfterSeconds: number } };

export interface SandboxControl {
  createOrg(name: string): { guid: string; name: string };
  createSpace(orgGuid: string, name: string): { guid: string; name: string };
  createApp(spec: AppSpec): SandboxApp;
  getApp(appGuid: string): SandboxApp;
  listApps(): SandboxApp[];
  scale(appGuid: string, instances: number): void;
  stopApp(appGuid: string): void;
  startApp(appGuid: string): void;
  /** The instance crashes like a real one: CC stats says CRASHED and the router no longer has it. */
  crashInstance(appGuid: string, index: number): void;
  /** Restarts the instance (fresh process: counters start again). */
  restoreInstance(appGuid: string, index: number): void;
  /** Any state Diego reports; STARTING and CRASHED are not routable, RUNNING restarts a non-running one. */
  setInstanceState(appGuid: string, index: number, state: 'RUNNING' | 'STARTING' | 'CRASHED'): void;
  setInstanceBehavior(appGuid: string, index: number, behavior: InstanceBehavior): void;
  setAppAuth(appGuid: string, auth: AppAuth): void;
  addRoute(appGuid: string, host: string, opts?: RouteOptions): void;
  /** `cf unmap-route`: the app leaves the route (audit.app.unmap-route). */
  removeRoute(appGuid: string, host: string, opts?: RouteOptions): void;
  /** `cf restart`: every instance restarts in a new container (audit.app.restart). */
  restartApp(appGuid: string): void;
  /** `cf delete`: the CC no longer knows the app (audit.app.delete-request). */
  deleteApp(appGuid: string): void;
  failCc(mode: CcFailure | null): void;
  /** Injected failure of one endpoint template only, e.g. `('/v3/audit_events', { status: 403 })`. */
  failCcEndpoint(template: string, mode: CcFailure | null): void;
  /** While true, every token request gets 401 invalid_client. */
  refuseUaa(refuse: boolean): void;
  /** While a status is set, every token request gets it (`null` ends the outage). */
  failUaa(status: number | null): void;
  setCcLatency(ms: number): void;
  /** Keys like 'GET /v3/apps' (path template, no query), 'POST /oauth/token' for the UAA; 'total' counts CC calls only. */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  issueToken(
    clientId: string,
    opts?: { scopes?: string[]; audience?: string[]; expiresInSeconds?: number },
  ): Promise<string>;
  addClient(clientId: string, clientSecret: string, authorities: string[]): void;
  /**
   * What the CC does at `cf create-service-broker` for a catalog's `dashboard_client`: creates the UAA
   * client for the authorization-code grant (scopes openid, cloud_controller_service_permissions.read).
   */
  registerDashboardClient(client: { id: string; secret: string; redirect_uri: string }): void;
  /** A UAA user without admin scopes; what it may see comes from its roles. */
  addUser(username: string, password: string): SandboxUser;
  /** Replaces the user's roles in the space (`space_developer`, `space_manager`, `space_auditor`, `space_supporter`). */
  setSpaceRoles(username: string, spaceGuid: string, roles: string[]): void;
  /** Replaces the user's roles in the org (`organization_manager`, `organization_auditor`, `organization_user`). */
  setOrgRoles(username: string, orgGuid: string, roles: string[]): void;
  /** Takes one role away (space or org guid). */
  removeRole(username: string, guid: string, role: string): void;
  /** What `cf create-service` leaves in the CC: the instance and its space (for the permissions endpoint). */
  registerServiceInstance(spec: { guid: string; name: string; spaceGuid: string }): void;
  /** What `cf create-service-key <instance> <name>` leaves in the CC (listed by /v3/service_credential_bindings). */
  registerServiceKey(spec: { guid: string; name: string; serviceInstanceGuid: string }): void;
}

export interface SandboxUser {
  guid: string;
  username: string;
  password: string;
}

export interface RouteOptions {
  domain?: string;
  path?: string;
  internal?: boolean;
}

export interface RouteSpec extends RouteOptions {
  host: string;
}

export interface MetricsSpec {
  format?: 'prom-client' | 'payload';
  payloadBytes?: number;
  seriesCount?: number;
  metricsPath?: string;
  /** More families with fixed values (prom-client format), e.g. one name typed differently in two apps. */
  families?: ExtraFamily[];
}

export interface ExtraFamily {
  name: string;
  type: 'gauge' | 'counter';
  value: number;
}

export interface AppSpec {
  spaceGuid: string;
  name: string;
  instances?: number;
  state?: 'STARTED' | 'STOPPED';
  /** Route host on the apps domain; default = name; null for no route. */
  host?: string | null;
  routes?: RouteSpec[];
  metrics?: MetricsSpec;
  auth?: AppAuth;
  guid?: string;
}

export type AppAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; audience: string };

export type InstanceBehavior =
  | { kind: 'normal' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'gzip-bomb'; uncompressedBytes: number }
  | { kind: 'endless' }
  | { kind: 'redirect'; location: string }
  | { kind: 'status'; status: number }
  /** Never answers (the connection stays open). */
  | { kind: 'hang' }
  /** Drops the connection without answering: the router answers 502 endpoint_failure. */
  | { kind: 'reset' }
  /**
   * Serves exactly these bytes (base64, so invalid UTF-8 fits in JSON) with this Content-Type at the
   * metrics path, whatever the Accept; gzipped when accepted. For conformance tests of exposition parsing.
   */
  | { kind: 'fixed-body'; contentType: string; bodyBase64: string };

export interface SandboxApp {
  guid: string;
  name: string;
  spaceGuid: string;
  orgGuid: string;
  state: 'STARTED' | 'STOPPED';
  instances: number;
  /** Full hostnames of the app's routes (path not included). */
  routes: string[];
  processGuid: string;
}
