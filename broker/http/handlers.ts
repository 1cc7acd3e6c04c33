import type { ServiceBroker } from '../osb/contract.ts';
import { parseBind, parseDelete, parseProvision, parseUpdate, requireId } from '../osb/parse-request.ts';
import type { ResourceStatus } from '../osb/types.ts';
import type { HandlerRequest, HandlerResponse } from './router.ts';

/**
 * One handler per endpoint: parse the request into contract details, call the contract, and turn its
 * semantic result into status and body. Errors are thrown and mapped in one place (error-response.ts).
 */

const instanceId = (req: HandlerRequest) => requireId('instance_id', req.params.instance_id);
const bindingId = (req: HandlerRequest) => requireId('binding_id', req.params.binding_id);

function lastOperation(status: ResourceStatus): HandlerResponse {
  return status === 'exists' ? { status: 200, body: { state: 'succeeded' } } : { status: 410, body: {} };
}

export function createHandlers(broker: ServiceBroker) {
  return {
    catalog: (): HandlerResponse => ({ status: 200, body: broker.catalog() }),

    async provision(req: HandlerRequest): Promise<HandlerResponse> {
      const id = instanceId(req);
      const result = await broker.provision(id, parseProvision(req.body));
      const body = result.dashboardUrl === undefined ? {} : { dashboard_url: result.dashboardUrl };
      return { status: result.alreadyExists ? 200 : 201, body };
    },

    async getInstance(req: HandlerRequest): Promise<HandlerResponse> {
      const instance = await broker.getInstance(instanceId(req));
      return {
        status: 200,
        body: {
          service_id: instance.serviceId,
          plan_id: instance.planId,
          parameters: instance.parameters,
          ...(instance.maintenanceVersion !== undefined && {
            maintenance_info: { version: instance.maintenanceVersion },
          }),
          ...(instance.dashboardUrl !== undefined && { dashboard_url: instance.dashboardUrl }),
        },
      };
    },

    async update(req: HandlerRequest): Promise<HandlerResponse> {
      const id = instanceId(req);
      await broker.update(id, parseUpdate(req.body));
      return { status: 200, body: {} };
    },

    async deprovision(req: HandlerRequest): Promise<HandlerResponse> {
      const id = instanceId(req);
      const result = await broker.deprovision(id, parseDelete(req.query));
      return { status: result.existed ? 200 : 410, body: {} };
    },

    async instanceLastOperation(req: HandlerRequest): Promise<HandlerResponse> {
      return lastOperation(await broker.instanceLastOperation(instanceId(req)));
    },

    async bind(req: HandlerRequest): Promise<HandlerResponse> {
      const ids = [instanceId(req), bindingId(req)] as const;
      const result = await broker.bind(...ids, parseBind(req.body));
      return { status: result.alreadyExists ? 200 : 201, body: { credentials: result.credentials } };
    },

    async getBinding(req: HandlerRequest): Promise<HandlerResponse> {
      const binding = await broker.getBinding(instanceId(req), bindingId(req));
      return { status: 200, body: { credentials: binding.credentials, parameters: binding.parameters } };
    },

    async unbind(req: HandlerRequest): Promise<HandlerResponse> {
      const ids = [instanceId(req), bindingId(req)] as const;
      const result = await broker.unbind(...ids, parseDelete(req.query));
      return { status: result.existed ? 200 : 410, body: {} };
    },

    async bindingLastOperation(req: HandlerRequest): Promise<HandlerResponse> {
      return lastOperation(await broker.bindingLastOperation(instanceId(req), bindingId(req)));
    },
  };
}
