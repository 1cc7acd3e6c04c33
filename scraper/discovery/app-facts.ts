import type { DiscoveredInstance } from './types.ts';

/** What discovery learned about one app from the CC, independent of any binding's parameters. */
export interface AppFacts {
  guid: string;
  name: string;
  state: 'STARTED' | 'STOPPED';
  space: { guid: string; name: string } | undefined;
  org: { guid: string; name: string } | undefined;
  /** In CC order (creation), so "the first HTTP route" is stable. */
  routes: RouteFact[];
  /** Desired instances of the web process; 0 without one. */
  instances: number;
  processGuid: string | undefined;
  /**
   * Instance states from process stats, read only after an event said an instance crashed or moved; stale
   * once Diego restarts it (no event says so), which is harmless: they only explain a failed scrape.
   */
  states?: readonly DiscoveredInstance[];
}

export interface RouteFact {
  /** CC route guid: route events name routes, not apps. */
  guid?: string;
  /** Full hostname, lower case. */
  host: string;
  /** '' or '/x'. */
  path: string;
  protocol: 'http' | 'tcp';
  internal: boolean;
  /** The app's port on this route's destination. */
  port: number | undefined;
}
