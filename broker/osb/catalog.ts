import type { CatalogConfig } from '../../common/config/types.ts';
import { BINDING_PARAMETERS_SCHEMA, INSTANCE_PARAMETERS_SCHEMA } from './schemas.ts';

type Schema = Record<string, unknown>;

export interface CatalogPlan {
  id: string;
  name: string;
  description: string;
  free: boolean;
  bindable: boolean;
  plan_updateable: boolean;
  maintenance_info: { version: string; description: string };
  metadata: { displayName: string; bullets: string[] };
  schemas: {
    service_instance: { create: { parameters: Schema }; update: { parameters: Schema } };
    service_binding: { create: { parameters: Schema } };
  };
}

export interface CatalogService {
  id: string;
  name: string;
  description: string;
  bindable: boolean;
  instances_retrievable: boolean;
  bindings_retrievable: boolean;
  plan_updateable: boolean;
  tags: string[];
  metadata: {
    displayName: string;
    documentationUrl: string;
    longDescription: string;
    providerDisplayName: string;
  };
  plans: CatalogPlan[];
  /** Present only when the operator configured a dashboard client (never a default secret). */
  dashboard_client?: DashboardClient;
}

/** OSB `dashboard_client`: the CC creates this UAA client at `cf create-service-broker`. */
export interface DashboardClient {
  id: string;
  secret: string;
  redirect_uri: string;
}

export interface Catalog {
  services: CatalogService[];
}

/** The one offering and plan; ids and names come from the operator's config (unique across a CF). */
export function buildCatalog(config: CatalogConfig, dashboardClient?: DashboardClient): Catalog {
  return {
    services: [
      {
        id: config.serviceId,
        name: config.serviceName,
        description: 'Prometheus scraping of Cloud Foundry apps, every instance individually',
        bindable: true,
        instances_retrievable: true,
        bindings_retrievable: true,
        plan_updateable: true,
        tags: ['prometheus', 'metrics'],
        metadata: {
          displayName: 'Promregator',
          documentationUrl: config.documentationUrl,
          longDescription:
            'Bind an app to register it as a scrape target; create a service key to get the URL, credentials ' +
            'and prometheus.yml snippet for Prometheus.',
          providerDisplayName: 'Promregator',
        },
        plans: [
          {
            id: config.planId,
            name: config.planName,
            description: 'Scrape the bound apps of a space through App Instance Routing',
            free: true,
            bindable: true,
            plan_updateable: true,
            maintenance_info: {
              version: config.maintenanceVersion,
              description: 'Promregator broker plan',
            },
            metadata: {
              displayName: 'Standard',
              bullets: ['Every app instance scraped individually', 'One merged endpoint per space'],
            },
            schemas: {
              service_instance: {
                create: { parameters: INSTANCE_PARAMETERS_SCHEMA },
                update: { parameters: INSTANCE_PARAMETERS_SCHEMA },
              },
              service_binding: { create: { parameters: BINDING_PARAMETERS_SCHEMA } },
            },
          },
        ],
        ...(dashboardClient && { dashboard_client: dashboardClient }),
      },
    ],
  };
}
