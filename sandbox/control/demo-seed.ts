import type { SandboxControl } from '../types.ts';

/** The landscape `npm run sandbox` and `npm start` show: 2 orgs, 3 spaces, 5 apps with 1–4 instances. */
export function seedDemo(control: SandboxControl): void {
  const acme = control.createOrg('acme');
  const shop = control.createSpace(acme.guid, 'shop');
  const billing = control.createSpace(acme.guid, 'billing');
  const labs = control.createOrg('labs');
  const playground = control.createSpace(labs.guid, 'playground');
  control.createApp({ spaceGuid: shop.guid, name: 'catalog', instances: 2 });
  control.createApp({
    spaceGuid: shop.guid,
    name: 'checkout',
    instances: 3,
    metrics: { metricsPath: '/actuator/prometheus' },
  });
  control.createApp({ spaceGuid: billing.guid, name: 'invoices', instances: 1 });
  control.createApp({
    spaceGuid: billing.guid,
    name: 'ledger',
    instances: 4,
    metrics: { format: 'payload', payloadBytes: 32 * 1024 },
  });
  control.createApp({ spaceGuid: playground.guid, name: 'experiments', instances: 1, state: 'STOPPED' });
}
