export { DISCOVERER_LOCK_KEY } from './discoverer-lock.ts';
export { createDiscovery, type DiscoveryDeps, type EventsOptions } from './discovery.ts';
export { DiscoveryError, type DiscoveryErrorCode } from './errors.ts';
export { type FeedCursor, WATCHED_EVENT_TYPES } from './event-feed.ts';
export { createDiscoveryMetrics } from './metrics.ts';
export { chooseRoute, createRouteMatchers, type RouteMatchers } from './route-choice.ts';
export { createSharedDiscovery, type SharedDiscovery, type SharedDiscoveryDeps } from './shared-discovery.ts';
export type {
  ChosenRoute,
  DiscoveredInstance,
  DiscoveredTarget,
  Discovery,
  DiscoveryEngine,
  DiscoveryMetrics,
  DiscoveryView,
  InstanceState,
  StoredView,
  TargetStatus,
  ViewChange,
} from './types.ts';
