import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { SecretKeys } from '../../common/secrets.ts';
import type { Sandbox } from '../../sandbox/index.ts';

export interface KeyedSpace {
  spaceGuid: string;
  instanceId: string;
  appGuids: string[];
  username: string;
  password: string;
  /** `Basic …` of the space's service key. */
  authorization: string;
}

/**
 * A sandbox space with `apps` apps of `instances` instances, a service instance binding all of them
 * (auth none) and one service key: the rows as the broker stores them, for tests whose scrapers run as
 * processes of their own (so no in-process fixture can insert them).
 */
export async function seedKeyedSpace(
  db: Knex,
  sandbox: Sandbox,
  keys: SecretKeys,
  options: { orgGuid: string; orgName: string; name: string; apps: number; instances: number },
): Promise<KeyedSpace> {
  const space = sandbox.control.createSpace(options.orgGuid, options.name);
  const instanceId = randomUUID();
  await db('service_instances').insert({
    id: instanceId,
    service_id: 's',
    plan_id: 'p',
    organization_guid: options.orgGuid,
    organization_name: options.orgName,
    space_guid: space.guid,
    space_name: space.name,
    parameters: '{}',
    request_digest: 'd',
  });
  const appGuids: string[] = [];
  for (let i = 0; i < options.apps; i++) {
    const app = sandbox.control.createApp({
      spaceGuid: space.guid,
      name: `${options.name}-app-${i}`,
      instances: options.instances,
    });
    appGuids.push(app.guid);
    await db('service_bindings').insert({
      id: randomUUID(),
      instance_id: instanceId,
      kind: 'app',
      app_guid: app.guid,
      parameters: JSON.stringify({ auth: { type: 'none' } }),
      request_digest: 'd',
    });
  }
  const keyId = randomUUID();
  const password = keys.serviceKeyPassword(keyId, 'salt');
  const username = `key-${keyId.slice(0, 8)}`;
  await db('service_bindings').insert({
    id: keyId,
    instance_id: instanceId,
    kind: 'key',
    key_username: username,
    key_password_hash: keys.keyPasswordVerifier(password),
    credentials_key_id: keys.currentId,
    key_salt: 'salt',
    request_digest: 'd',
  });
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return { spaceGuid: space.guid, instanceId, appGuids, username, password, authorization };
}
