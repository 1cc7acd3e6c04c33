import type { Catalog } from './catalog.ts';
import type {
  BindDetails,
  BindingDetails,
  CreateResult,
  DeleteDetails,
  DeleteResult,
  InstanceDetails,
  ProvisionDetails,
  ProvisionResult,
  ResourceStatus,
  UpdateDetails,
} from './types.ts';

/**
 * The OSB contract, free of HTTP: one method per endpoint. Failures are thrown as OsbError (osb/errors.ts);
 * the HTTP layer alone turns results into status codes.
 */
export interface ServiceBroker {
  /** GET /v2/catalog */
  catalog(): Catalog;

  /** PUT /v2/service_instances/:instance_id */
  provision(instanceId: string, details: ProvisionDetails): Promise<ProvisionResult>;

  /** GET /v2/service_instances/:instance_id */
  getInstance(instanceId: string): Promise<InstanceDetails>;

  /** PATCH /v2/service_instances/:instance_id */
  update(instanceId: string, details: UpdateDetails): Promise<void>;

  /** DELETE /v2/service_instances/:instance_id — also deletes the instance's bindings. */
  deprovision(instanceId: string, details: DeleteDetails): Promise<DeleteResult>;

  /** GET /v2/service_instances/:instance_id/last_operation */
  instanceLastOperation(instanceId: string): Promise<ResourceStatus>;

  /** PUT /v2/service_instances/:instance_id/service_bindings/:binding_id */
  bind(
    instanceId: string,
    bindingId: string,
    details: BindDetails,
  ): Promise<CreateResult & Pick<BindingDetails, 'credentials'>>;

  /** GET /v2/service_instances/:instance_id/service_bindings/:binding_id */
  getBinding(instanceId: string, bindingId: string): Promise<BindingDetails>;

  /** DELETE /v2/service_instances/:instance_id/service_bindings/:binding_id */
  unbind(instanceId: string, bindingId: string, details: DeleteDetails): Promise<DeleteResult>;

  /** GET /v2/service_instances/:instance_id/service_bindings/:binding_id/last_operation */
  bindingLastOperation(instanceId: string, bindingId: string): Promise<ResourceStatus>;
}
