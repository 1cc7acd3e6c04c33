import type { ScrapeTarget } from '../../common/targets.ts';

/** A service key as the scraper needs it to check Prometheus's credentials (digest only, never the password). */
export interface ServiceKeyRecord {
  bindingId: string;
  instanceId: string;
  username: string;
  /** Keyed digest of the password (`hmac-sha256$…`), under the key it was issued with. */
  passwordHash: string;
  /** The credentials key the password was issued under. */
  keyId: string;
  /** Creation time (ms), shown on the dashboard. */
  createdAt?: number;
}

/** The service instance's place in CF; a key reads exactly the targets of its own instance. */
export interface InstanceRecord {
  id: string;
  orgGuid: string;
  spaceGuid: string;
  orgName?: string;
  spaceName?: string;
  /** `cf create-service`'s instance name, when the CC sent it. */
  name?: string;
}

export interface BindingsSnapshot {
  /** App bindings resolved with resolveTarget (instance defaults applied, secrets decrypted), in creation order. */
  targets: readonly ScrapeTarget[];
  /** By key username. */
  keys: ReadonlyMap<string, ServiceKeyRecord>;
  /** By instance id. */
  instances: ReadonlyMap<string, InstanceRecord>;
  /** Clock time of the load that produced this snapshot (0 for the empty snapshot before the first load). */
  loadedAt: number;
}

export interface BindingsStore {
  /** First load: retries while the DB is down; resolves after the first successful load, throws after the start timeout. */
  start(): Promise<void>;
  /** Last known set, also while the DB is down. Never blocks. */
  snapshot(): BindingsSnapshot;
  /** Called after a reload whose content differs from the previous snapshot. Returns the unsubscribe function. */
  onChange(listener: (snapshot: BindingsSnapshot) => void): () => void;
  /** The DB answered the last attempt (load or LISTEN connection). */
  isHealthy(): boolean;
  stop(): Promise<void>;
}
