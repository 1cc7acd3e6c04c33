import type { SecretKeys } from './secrets.ts';

/**
 * What the scraper needs to scrape one bound app, resolved from the stored binding, its service
 * instance's defaults and the decrypted secrets. Wire names (snake_case) stay in the stored parameters;
 * this is the in-memory shape both apps agree on.
 */
export interface ScrapeTarget {
  bindingId: string;
  instanceId: string;
  appGuid: string;
  path: string;
  scheme: 'http' | 'https';
  /** Exact host (hostname characters only) or a regular expression; the rule is in scraper/discovery/route-choice.ts. */
  route?: string;
  auth: TargetAuth;
  labels: Readonly<Record<string, string>>;
  honorLabels: boolean;
  scrapeTimeoutMs?: number;
}

export type TargetAuth =
  | { type: 'binding'; username: string; password: string }
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scopes?: string[] };

/** Parameter fields that are secrets: stored encrypted, never returned in logs or errors. */
const SECRET_AUTH_FIELDS = ['password', 'client_secret'] as const;

type Json = Record<string, unknown>;

/** Splits bind parameters into what may be stored in clear and the secret fields (to be encrypted). */
export function splitSecrets(parameters: Json): { open: Json; secrets: Json | undefined } {
  const auth = parameters.auth;
  if (!auth || typeof auth !== 'object') return { open: parameters, secrets: undefined };
  const openAuth: Json = { ...(auth as Json) };
  const secrets: Json = {};
  for (const field of SECRET_AUTH_FIELDS) {
    if (field in openAuth) {
      secrets[field] = openAuth[field];
      delete openAuth[field];
    }
  }
  return {
    open: { ...parameters, auth: openAuth },
    secrets: Object.keys(secrets).length > 0 ? secrets : undefined,
  };
}

/** The inverse of splitSecrets: the parameters as the caller sent them. */
export function joinSecrets(open: Json, secrets: Json | undefined): Json {
  if (!secrets || !open.auth || typeof open.auth !== 'object') return open;
  return { ...open, auth: { ...(open.auth as Json), ...secrets } };
}

export interface StoredAppBinding {
  id: string;
  instance_id: string;
  app_guid: string;
  parameters: Json;
  /** Encrypted JSON of the secret parameter fields, or null. */
  secrets: string | null;
  /** The credentials key its derived credentials were issued under; null: the current one. */
  credentials_key_id: string | null;
  instance_parameters: Json;
}

export const DEFAULT_PATH = '/metrics';

/** Instance parameters are defaults; the binding's own parameters win field by field (labels merge). */
export function resolveTarget(row: StoredAppBinding, keys: SecretKeys): ScrapeTarget {
  const secrets = row.secrets ? (JSON.parse(keys.decrypt(row.secrets)) as Json) : undefined;
  const own = joinSecrets(row.parameters, secrets);
  const defaults = row.instance_parameters;
  const pick = <T>(name: string): T | undefined => (own[name] ?? defaults[name]) as T | undefined;
  const labels = {
    ...(defaults.labels as Record<string, string>),
    ...(own.labels as Record<string, string>),
  };
  const timeout = pick<number>('scrape_timeout_ms');
  const route = pick<string>('route');
  return {
    bindingId: row.id,
    instanceId: row.instance_id,
    appGuid: row.app_guid,
    path: pick<string>('path') ?? DEFAULT_PATH,
    scheme: pick<'http' | 'https'>('scheme') ?? 'https',
    ...(route !== undefined && { route }),
    auth: resolveAuth((own.auth ?? defaults.auth) as Json | undefined, row, keys),
    labels,
    honorLabels: pick<boolean>('honor_labels') ?? false,
    ...(timeout !== undefined && { scrapeTimeoutMs: timeout }),
  };
}

function resolveAuth(auth: Json | undefined, row: StoredAppBinding, keys: SecretKeys): TargetAuth {
  switch (auth?.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: String(auth.username), password: String(auth.password) };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: String(auth.token_url),
        clientId: String(auth.client_id),
        clientSecret: String(auth.client_secret),
        ...(Array.isArray(auth.scopes) && { scopes: auth.scopes.map(String) }),
      };
    default:
      return {
        type: 'binding',
        ...keys.bindingCredentials(row.id, row.credentials_key_id ?? keys.currentId),
      };
  }
}
