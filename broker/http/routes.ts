import type { ServiceBroker } from '../osb/contract.ts';
import { createHandlers } from './handlers.ts';
import type { Route } from './router.ts';

const INSTANCE = '/v2/service_instances/:instance_id';
const BINDING = `${INSTANCE}/service_bindings/:binding_id`;

/** Every endpoint of the broker, in one place. */
export function brokerRoutes(broker: ServiceBroker): Route[] {
  const h = createHandlers(broker);
  return [
    { method: 'GET', path: '/v2/catalog', handle: h.catalog },
    { method: 'PUT', path: INSTANCE, handle: h.provision },
    { method: 'GET', path: INSTANCE, handle: h.getInstance },
    { method: 'PATCH', path: INSTANCE, handle: h.update },
    { method: 'DELETE', path: INSTANCE, handle: h.deprovision },
    { method: 'GET', path: `${INSTANCE}/last_operation`, handle: h.instanceLastOperation },
    { method: 'PUT', path: BINDING, handle: h.bind },
    { method: 'GET', path: BINDING, handle: h.getBinding },
    { method: 'DELETE', path: BINDING, handle: h.unbind },
    { method: 'GET', path: `${BINDING}/last_operation`, handle: h.bindingLastOperation },
    // Unauthenticated liveness for the platform's health check; says nothing about the database.
    { method: 'GET', path: '/healthz', handle: () => ({ status: 200, body: { status: 'UP' } }) },
  ];
}
