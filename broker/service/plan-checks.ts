import type { CatalogConfig } from '../../common/config/types.ts';
import { badRequest, OSB_ERRORS, OsbError } from '../osb/errors.ts';

export function checkService(catalog: CatalogConfig, serviceId: string): void {
  if (serviceId !== catalog.serviceId) {
    throw badRequest(`service_id: unknown service "${serviceId}" (this broker offers ${catalog.serviceId})`);
  }
}

export function checkPlan(catalog: CatalogConfig, serviceId: string, planId: string): void {
  checkService(catalog, serviceId);
  if (planId !== catalog.planId) {
    throw badRequest(`plan_id: unknown plan "${planId}" (this broker offers ${catalog.planId})`);
  }
}

/** The CC sends the maintenance_info it last saw in the catalog; any other version means a stale view. */
export function checkMaintenance(catalog: CatalogConfig, info: { version: string } | undefined): void {
  if (info && info.version !== catalog.maintenanceVersion) {
    throw new OsbError(
      OSB_ERRORS.maintenanceInfoConflict,
      `maintenance_info.version "${info.version}" does not match the plan's version ${catalog.maintenanceVersion}; ` +
        'the service broker catalog has changed, please retry',
    );
  }
}
