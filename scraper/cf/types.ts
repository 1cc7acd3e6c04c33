import type { Counter } from 'prom-client';

export interface ListResult<T> {
  resources: T[];
  /** `included` of every page merged by kind (e.g. `spaces`, `organizations`, `domains`), de-duplicated by guid. */
  included: Record<string, unknown[]>;
}

/** Read access to the Cloud Controller v3 API, authenticated, with retries; throws only CfError. */
export interface CloudControllerClient {
  /** GET one document; `pathAndQuery` is relative to the API URL (e.g. `/v3/apps/<guid>`). */
  getJson<T = unknown>(pathAndQuery: string): Promise<T>;
  /** GET a list and follow `pagination.next.href` until null. */
  listAll<T = unknown>(pathAndQuery: string): Promise<ListResult<T>>;
  close(): Promise<void>;
}

/** Counter labelled by endpoint (path template, GUIDs replaced) and status (HTTP code, or `error`/`timeout`). */
export type CcRequestCounter = Counter<'endpoint' | 'status'>;

export type CfCredentials =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | { kind: 'password'; username: string; password: string };
