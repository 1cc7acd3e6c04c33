import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { SecretKeys } from '../common/secrets.ts';
import type { Sandbox } from '../sandbox/index.ts';

export interface ScrapeCell {
  instances: number;
  payloadBytes: number;
}

export interface CellSpace extends ScrapeCell {
  guid: string;
  authorization: string;
  /** The instances as the scraper asks for them, for the baseline proxy. */
  targets: Array<{ url: string; instanceHeader: string }>;
}

/**
 * One space per cell: `instances` payload-mode instances (4 per app from 200 up, else 2) of ~`payloadBytes`
 * each behind the sandbox gorouter, all bound to one service instance (`auth: none`) with a service key
 * the bench scrapes with. Written straight into the broker's tables, as the broker would.
 */
export async function createCellSpace(
  sandbox: Sandbox,
  db: Knex,
  credentialsKey: string,
  org: { guid: string; name: string },
  cell: ScrapeCell,
): Promise<CellSpace> {
  const c = sandbox.control;
  const space = c.createSpace(org.guid, `bench-${cell.instances}x${cell.payloadBytes}`);
  const instanceId = randomUUID();
  await db('service_instances').insert({
    id: instanceId,
    service_id: 's',
    plan_id: 'p',
    organization_guid: org.guid,
    organization_name: org.name,
    space_guid: space.guid,
    space_name: space.name,
    parameters: '{}',
    request_digest: 'd',
  });
  const perApp = cell.instances >= 200 ? 4 : 2;
  const targets: CellSpace['targets'] = [];
  for (let a = 0; a < cell.instances / perApp; a++) {
    const app = c.createApp({
      spaceGuid: space.guid,
      name: `${space.name}-app-${a}`,
      instances: perApp,
      metrics: { format: 'payload', payloadBytes: cell.payloadBytes },
    });
    await db('service_bindings').insert({
      id: randomUUID(),
      instance_id: instanceId,
      kind: 'app',
      app_guid: app.guid,
      parameters: JSON.stringify({ auth: { type: 'none' } }),
      request_digest: 'd',
    });
    for (let i = 0; i < perApp; i++) {
      targets.push({ url: `https://${app.routes[0]}/metrics`, instanceHeader: `${app.guid}:${i}` });
    }
  }
  const keyId = randomUUID();
  const keys = new SecretKeys(credentialsKey);
  const password = keys.serviceKeyPassword(keyId, 'salt');
  await db('service_bindings').insert({
    id: keyId,
    instance_id: instanceId,
    kind: 'key',
    key_username: `bench-${space.guid}`,
    key_password_hash: keys.keyPasswordVerifier(password),
    credentials_key_id: keys.currentId,
    key_salt: 'salt',
    request_digest: 'd',
  });
  return {
    ...cell,
    guid: space.guid,
    authorization: `Basic ${Buffer.from(`bench-${space.guid}:${password}`).toString('base64')}`,
    targets,
  };
}
