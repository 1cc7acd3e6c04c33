export { createDiscovery, type DiscoveryDeps } from './discovery.ts';
export { createDiscoveryMetrics } from './metrics.ts';
export { chooseRoute, createRouteMatchers, type RouteMatchers } from './route-choice.ts';
export type {
  ChosenRoute,
  DiscoveredInstance,
  DiscoveredTarget,
  Discovery,
  DiscoveryMetrics,
  DiscoveryView,
  InstanceState,
  TargetStatus,
} from './types.ts';
